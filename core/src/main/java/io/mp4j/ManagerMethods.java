package io.mp4j;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The methods of a proxied interface, numbered the same way in every JVM: sorted by name, parameter types
 * and declaring interface. A call names its method by that number, so neither side looks a method up by
 * name per call. Not for direct use.
 */
final class ManagerMethods
{
    private static final ConcurrentHashMap<Class<?>, ManagerMethods> CACHE = new ConcurrentHashMap<>();

    final Class<?> type;
    final Method[] methods;
    private final Map<Method, Integer> index = new HashMap<>();
    private final Map<String, Integer> bySignature = new HashMap<>();

    private ManagerMethods(final Class<?> type)
    {
        this.type = type;
        final List<Method> list = new ArrayList<>();
        for (final Method m : type.getMethods())
        {
            if (!Modifier.isStatic(m.getModifiers()))
            {
                list.add(m);
            }
        }
        list.sort(Comparator.comparing(ManagerMethods::signature).thenComparing(m -> m.getDeclaringClass().getName()));
        this.methods = list.toArray(new Method[0]);
        for (int i = 0; i < methods.length; i++)
        {
            try
            {
                methods[i].setAccessible(true);
            }
            catch (final RuntimeException ignore)
            {
                // public methods of public interfaces need no access
            }
            index.put(methods[i], i);
            bySignature.putIfAbsent(signature(methods[i]), i);
        }
    }

    static ManagerMethods of(final Class<?> type)
    {
        return CACHE.computeIfAbsent(type, ManagerMethods::new);
    }

    private static String signature(final Method m)
    {
        final StringBuilder b = new StringBuilder(m.getName()).append('(');
        for (final Class<?> p : m.getParameterTypes())
        {
            b.append(p.getName()).append(',');
        }
        return b.append(')').toString();
    }

    int indexOf(final Method method)
    {
        final Integer i = index.get(method);
        if (i != null)
        {
            return i;
        }
        final Integer s = bySignature.get(signature(method));
        if (s == null)
        {
            throw new IllegalArgumentException(method + " is not a method of " + type.getName());
        }
        return s;
    }

    int indexOf(final String name, final Class<?>... parameterTypes)
    {
        try
        {
            return indexOf(type.getMethod(name, parameterTypes));
        }
        catch (final NoSuchMethodException ex)
        {
            throw new IllegalArgumentException(type.getName() + " has no method " + name, ex);
        }
    }
}
