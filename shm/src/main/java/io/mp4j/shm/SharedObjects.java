package io.mp4j.shm;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This JVM's registry of attached shared objects, keyed by class and region file, so that a long-lived
 * worker that is sent the same {@code Value} again and again maps it once. Deserialized
 * {@link RegionHandle}s go through here; so may application code.
 */
public final class SharedObjects
{
    private static final Map<String, SharedObject> ATTACHED = new ConcurrentHashMap<>();

    private SharedObjects()
    {
    }

    /**
     * The attached object of this class over this file: the cached one if it is still open, else a new
     * attachment made with the class's static {@code attach(Path)}. Every call makes the caller one more
     * holder of the object it returns: the object's {@code close()} gives that holding back, and unmaps
     * the region only when every holder in this JVM (its creator included) has closed it, so that one
     * holder's close does not pull the memory from under another.
     *
     * @param className a class implementing {@link SharedObject}.
     * @param file      its region file.
     * @return the attached object.
     * @throws IllegalArgumentException if the class is not a shared object.
     * @throws InvalidRegionException   if the region cannot be attached as that class.
     */
    public static SharedObject attach(final String className, final Path file)
    {
        final Path normalized = file.toAbsolutePath().normalize();
        final String key = className + '\0' + normalized;
        final SharedObject cached = ATTACHED.get(key);
        if (cached != null && retain(cached))
        {
            return cached;
        }
        synchronized (ATTACHED)
        {
            final SharedObject again = ATTACHED.get(key);
            if (again != null && retain(again))
            {
                return again;
            }
            final SharedObject attached = invokeAttach(className, normalized);
            put(key, attached);
            return attached;
        }
    }

    private static boolean retain(final SharedObject object)
    {
        return object instanceof MappedObject ? ((MappedObject)object).retain() : !object.isClosed();
    }

    /**
     * Remember an object this JVM created, so that handles to it resolve to it (replacing an older object
     * at the same path, whose file was removed with its directory). The creator is its first holder.
     *
     * @param object the object.
     * @param <T>    its type.
     * @return the object.
     */
    static <T extends SharedObject> T register(final T object)
    {
        put(object.getClass().getName() + '\0' + object.path().toAbsolutePath().normalize(), object);
        return object;
    }

    private static void put(final String key, final SharedObject object)
    {
        if (object instanceof MappedObject)
        {
            ((MappedObject)object).cacheKey = key;
        }
        ATTACHED.put(key, object);
    }

    /**
     * Forget an object whose last holder closed it, unless a newer attachment has taken its place: the
     * cache would otherwise keep every object ever attached, and its mapping if it was never closed.
     *
     * @param object the object.
     */
    static void forget(final MappedObject object)
    {
        final String key = object.cacheKey;
        if (key != null)
        {
            ATTACHED.remove(key, object);
        }
    }

    /**
     * @return how many attachments are cached (objects of this JVM not yet closed by their last holder),
     * for tests and inspection.
     */
    public static int size()
    {
        return ATTACHED.size();
    }

    private static SharedObject invokeAttach(final String className, final Path file)
    {
        final Class<?> type;
        try
        {
            type = Class.forName(className, false, SharedObjects.class.getClassLoader());
        }
        catch (final ClassNotFoundException ex)
        {
            throw new IllegalArgumentException("unknown shared object class " + className, ex);
        }
        if (!SharedObject.class.isAssignableFrom(type))
        {
            throw new IllegalArgumentException(className + " does not implement " + SharedObject.class.getName());
        }
        final MethodHandle attach;
        try
        {
            // implementations are package-private classes of this package, found by their static attach(Path)
            final Method method = type.getDeclaredMethod("attach", Path.class);
            if (!Modifier.isStatic(method.getModifiers()))
            {
                throw new NoSuchMethodException("attach(Path) is not static");
            }
            attach = MethodHandles.lookup().unreflect(method);
        }
        catch (final NoSuchMethodException | IllegalAccessException ex)
        {
            throw new IllegalArgumentException(className + " has no static attach(Path)", ex);
        }
        try
        {
            return (SharedObject)attach.invoke(file);
        }
        catch (final RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("attach failed for " + className + " at " + file, ex);
        }
    }
}
