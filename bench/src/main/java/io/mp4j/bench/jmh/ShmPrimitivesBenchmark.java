package io.mp4j.bench.jmh;

import io.mp4j.shm.ElementType;
import io.mp4j.shm.Lock;
import io.mp4j.shm.RLock;
import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.Semaphore;
import io.mp4j.shm.Value;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Uncontended costs of the shm primitives in one JVM, against their java.util.concurrent counterparts:
 * a Lock/RLock/Semaphore acquire+release pair, and Value.incrementAndGet against AtomicLong.
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp 'bench/target/mp4j-bench.jar:bench/target/lib/*' \
 *     org.openjdk.jmh.Main ShmPrimitivesBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx256m"})
public class ShmPrimitivesBenchmark
{
    private RuntimeDirectory dir;
    private Lock lock;
    private RLock rlock;
    private Semaphore semaphore;
    private Value value;
    private final ReentrantLock reentrantLock = new ReentrantLock();
    private final AtomicLong atomicLong = new AtomicLong();

    @Setup(Level.Trial)
    public void setUp()
    {
        dir = RuntimeDirectory.create();
        lock = Lock.create(dir, "lock");
        rlock = RLock.create(dir, "rlock");
        semaphore = Semaphore.create(dir, "semaphore", 1);
        value = Value.createRaw(dir, "value", ElementType.LONG, 0);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        dir.close();
    }

    @Benchmark
    public void lockAcquireRelease()
    {
        lock.lock();
        lock.unlock();
    }

    @Benchmark
    public void rlockAcquireRelease()
    {
        rlock.lock();
        rlock.unlock();
    }

    @Benchmark
    public void semaphoreAcquireRelease()
    {
        semaphore.tryAcquire();
        semaphore.release();
    }

    @Benchmark
    public void reentrantLockAcquireRelease()
    {
        reentrantLock.lock();
        reentrantLock.unlock();
    }

    @Benchmark
    public long valueIncrementAndGet()
    {
        return value.incrementAndGet();
    }

    @Benchmark
    public long atomicLongIncrementAndGet()
    {
        return atomicLong.incrementAndGet();
    }
}
