package io.mp4j.cluster;

import io.mp4j.queue.JavaSerializationCodec;
import org.apache.ignite.internal.ClassSet;
import org.junit.jupiter.api.Test;

import java.io.ObjectInputFilter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IgniteAllowListTest
{
    private static final String USER = "com.example.**;org.acme.Order;org.acme.Line*;app/net.shop.*;!com.example.Bad;maxarray=10";
    private static final String PATTERNS = JavaSerializationCodec.DEFAULT_PATTERNS + ';' + USER + ';' + RemoteCall.ALLOWED + ";!*";

    @Test
    void translatesEachKindOfPattern()
    {
        assertEquals(List.of("java.lang.*", "java.util.*", "java.time.*", "java.math.*", "java.net.URI", "io.mp4j.*",
            "com.example.*", "org.acme.Order", "org.acme.*", "net.shop.*", "java.lang.invoke.SerializedLambda", "java.io.*",
            "java.util.concurrent.*"), IgniteAllowList.entries(PATTERNS));
    }

    @Test
    void refusesAPatternWhoseOnlyTranslationIsEveryClass()
    {
        // these once became "*": the user's narrow list silently allowed every class
        for (final String pattern : List.of("java.base/*", "app/Order*", "Order*"))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> IgniteAllowList.entries("java.lang.*;" + pattern + ";!*"), pattern);
            assertTrue(ex.getMessage().contains("'" + pattern + "'"), ex.getMessage());
        }
        assertEquals(List.of("java.lang.*", "net.shop.Order"), IgniteAllowList.entries("java.lang.*;app/net.shop.Order"));
        assertEquals(List.of("*"), IgniteAllowList.entries("*"));
    }

    @Test
    void igniteAllowsEveryClassMp4jAllowsAndNotOthers()
    {
        final ObjectInputFilter filter = ObjectInputFilter.Config.createFilter(PATTERNS);
        final ClassSet ignite = new ClassSet();
        IgniteAllowList.entries(PATTERNS).forEach(ignite::add);
        for (final String name : List.of("java.lang.String", "java.util.ArrayList", "java.time.Instant", "java.math.BigDecimal",
            "java.net.URI", "io.mp4j.cluster.RemoteCall$Outcome", "java.lang.invoke.SerializedLambda", "java.io.IOException",
            "java.util.concurrent.TimeoutException", "com.example.Order", "com.example.deep.Order", "org.acme.Order",
            "org.acme.LineItem", "net.shop.Cart"))
        {
            assertTrue(ignite.contains(name), name + " is allowed by mp4j's patterns but not by Ignite's list");
        }
        for (final String name : List.of("java.text.DecimalFormat", "java.sql.SQLException", "org.other.Invoice", "net.Other",
            "javax.management.BadAttributeValueExpException"))
        {
            assertFalse(ignite.contains(name), name + " is allowed by Ignite's list");
        }
        // the widening, as documented: a package pattern also covers its sub-packages in Ignite's list, and a
        // prefix pattern becomes its package
        assertTrue(ignite.contains("java.util.logging.Level"));
        assertTrue(ignite.contains("org.acme.Invoice"));
        assertEquals(ObjectInputFilter.Status.REJECTED, filter.checkInput(new Info(java.util.logging.Level.class)));
    }

    /** What a filter sees of one class. */
    private static final class Info implements ObjectInputFilter.FilterInfo
    {
        private final Class<?> type;

        Info(final Class<?> type)
        {
            this.type = type;
        }

        @Override
        public Class<?> serialClass()
        {
            return type;
        }

        @Override
        public long arrayLength()
        {
            return -1;
        }

        @Override
        public long depth()
        {
            return 1;
        }

        @Override
        public long references()
        {
            return 1;
        }

        @Override
        public long streamBytes()
        {
            return 0;
        }
    }
}
