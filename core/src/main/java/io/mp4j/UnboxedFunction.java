package io.mp4j;

import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * In a pool worker: the same function as a pool's {@code SerializableFunction}, without its boxes, when it
 * is a method reference to a static method from {@code long} to {@code long}, {@code int} to {@code int}
 * or {@code double} to {@code double} ({@code Demo::square}).
 *
 * <p>Why: such a method reference, typed {@code SerializableFunction<Long, Long>}, boxes its argument's
 * unboxing and its result: two objects per task. Java 25's C2 removes both once the call is inlined;
 * Java 17's removes neither, and in a {@code map} over 200,000 numbers their 5 MB per pass per worker,
 * touching heap the worker's young generation had not used yet, cost more time than the tasks. Calling
 * the static method through a {@link LongUnaryOperator} made by {@link LambdaMetafactory} over the same
 * method gives the same results, exceptions and side effects, with no objects.
 */
final class UnboxedFunction
{
    private UnboxedFunction()
    {
    }

    /**
     * @param fn a deserialized pool function.
     * @return a {@link LongUnaryOperator}, {@link IntUnaryOperator} or {@link DoubleUnaryOperator} calling
     * the same static method, or null if {@code fn} is not such a method reference (or its class cannot be
     * looked into: a named module that does not open its package).
     */
    static Object of(final Object fn)
    {
        try
        {
            final Class<?> type = fn.getClass();
            if (!type.isSynthetic())
            {
                return null;
            }
            final Method writeReplace = type.getDeclaredMethod("writeReplace");
            writeReplace.setAccessible(true);
            final Object replaced = writeReplace.invoke(fn);
            if (!(replaced instanceof SerializedLambda))
            {
                return null;
            }
            final SerializedLambda lambda = (SerializedLambda)replaced;
            if (lambda.getImplMethodKind() != MethodHandleInfo.REF_invokeStatic || lambda.getCapturedArgCount() != 0)
            {
                return null;
            }
            final Class<?> primitive;
            final Class<?> box;
            final Class<?> operator;
            final String name;
            switch (lambda.getImplMethodSignature())
            {
                case "(J)J":
                    primitive = long.class;
                    box = Long.class;
                    operator = LongUnaryOperator.class;
                    name = "applyAsLong";
                    break;
                case "(I)I":
                    primitive = int.class;
                    box = Integer.class;
                    operator = IntUnaryOperator.class;
                    name = "applyAsInt";
                    break;
                case "(D)D":
                    primitive = double.class;
                    box = Double.class;
                    operator = DoubleUnaryOperator.class;
                    name = "applyAsDouble";
                    break;
                default:
                    return null;
            }
            // the function unboxes exactly this box (not, say, an Integer widened to long)
            if (!lambda.getInstantiatedMethodType().startsWith("(" + box.descriptorString() + ")"))
            {
                return null;
            }
            final Class<?> implClass = Class.forName(lambda.getImplClass().replace('/', '.'), false, type.getClassLoader());
            final MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(implClass, MethodHandles.lookup());
            final MethodType signature = MethodType.methodType(primitive, primitive);
            final MethodHandle target = lookup.findStatic(implClass, lambda.getImplMethodName(), signature);
            return LambdaMetafactory.metafactory(lookup, name, MethodType.methodType(operator), signature, target, signature)
                .getTarget().invoke();
        }
        catch (final VirtualMachineError ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            // not a method reference we can look into: the worker calls it as it is
            return null;
        }
    }
}
