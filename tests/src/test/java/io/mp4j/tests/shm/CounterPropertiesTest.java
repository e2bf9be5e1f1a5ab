package io.mp4j.tests.shm;

import io.mp4j.shm.RuntimeDirectory;
import io.mp4j.shm.Value;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * jqwik over real processes: any number of child JVMs and increments add up.
 */
class CounterPropertiesTest
{
    @Property(tries = 5)
    void counterEqualsTotal(@ForAll @IntRange(min = 1, max = 4) final int processes,
                            @ForAll @IntRange(min = 0, max = 2000) final int increments) throws Exception
    {
        try (RuntimeDirectory dir = RuntimeDirectory.create(); ChildJvms children = new ChildJvms())
        {
            final Value counter = Value.create(dir, "counter", "i", 0);
            final List<ChildJvms.Child> started = new ArrayList<>();
            for (int i = 0; i < processes; i++)
            {
                started.add(children.start("increment", ChildJvms.pathOf(counter), Integer.toString(increments)));
            }
            for (final ChildJvms.Child child : started)
            {
                child.expect("done", Duration.ofSeconds(120));
            }
            assertEquals(processes * increments, counter.getInt());
        }
    }
}
