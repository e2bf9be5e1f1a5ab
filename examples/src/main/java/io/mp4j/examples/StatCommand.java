package io.mp4j.examples;

import io.mp4j.bench.Json;
import io.mp4j.shm.ProcessIds;
import io.mp4j.shm.RegionInfo;
import io.mp4j.shm.RuntimeDirectory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code mp4j stat}: the live runtime directories on this host that the current user can read, and the
 * regions in each with what they hold now ({@link io.mp4j.shm.RegionInfo#state()}; like Aeron's AeronStat). Refreshes every second until Ctrl-C; {@code --once} prints
 * once; {@code --json} prints JSON for scripts.
 */
public final class StatCommand
{
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    /** An owner file holds two numbers. */
    private static final long MAX_OWNER_FILE_BYTES = 256;

    private StatCommand()
    {
    }

    /**
     * @param args {@code --once}, {@code --json}, {@code --base DIR}.
     * @param out  where to print.
     * @return the exit status.
     * @throws Exception if interrupted.
     */
    public static int run(final List<String> args, final PrintStream out) throws Exception
    {
        boolean once = false;
        boolean json = false;
        Path base = RuntimeDirectory.defaultBase();
        for (int i = 0; i < args.size(); i++)
        {
            switch (args.get(i))
            {
                case "--once":
                    once = true;
                    break;
                case "--json":
                    json = true;
                    break;
                case "--base":
                    base = Path.of(args.get(++i));
                    break;
                default:
                    System.err.println("mp4j stat: unknown argument " + args.get(i) + "; use --once, --json, --base DIR");
                    return 2;
            }
        }
        while (true)
        {
            final List<Map<String, Object>> contexts = scan(base);
            if (json)
            {
                final Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("base", base.toString());
                doc.put("contexts", contexts);
                out.println(Json.write(doc));
            }
            else
            {
                if (!once)
                {
                    out.print("\033[H\033[2J");
                }
                printTable(base, contexts, out, once);
            }
            out.flush();
            if (once || json)
            {
                return 0;
            }
            TimeUnit.SECONDS.sleep(1);
        }
    }

    /**
     * @param base where runtime directories live.
     * @return one map per runtime directory, with its regions.
     */
    public static List<Map<String, Object>> scan(final Path base)
    {
        final List<Map<String, Object>> contexts = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, RuntimeDirectory.PREFIX + "*"))
        {
            for (final Path dir : dirs)
            {
                if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !Files.isReadable(dir))
                {
                    continue;
                }
                contexts.add(describe(dir));
            }
        }
        catch (final IOException ex)
        {
            // an unreadable base lists nothing
        }
        contexts.sort((a, b) -> String.valueOf(a.get("path")).compareTo(String.valueOf(b.get("path"))));
        return contexts;
    }

    private static Map<String, Object> describe(final Path dir)
    {
        final Map<String, Object> ctx = new LinkedHashMap<>();
        ctx.put("path", dir.toString());
        long pid = -1;
        boolean alive = false;
        try
        {
            final Path ownerFile = dir.resolve(RuntimeDirectory.OWNER_FILE);
            // a directory may be anyone's (root lists them all): a FIFO there would block the read forever,
            // a link to /dev/zero would fill the heap
            if (!Files.isRegularFile(ownerFile, LinkOption.NOFOLLOW_LINKS) || Files.size(ownerFile) > MAX_OWNER_FILE_BYTES)
            {
                throw new IOException(ownerFile + " is not a small regular file");
            }
            final String[] owner = Files.readString(ownerFile, StandardCharsets.US_ASCII)
                .trim().split("\\s+");
            pid = Long.parseLong(owner[0]);
            alive = ProcessIds.isAlive(pid, Long.parseLong(owner[1]));
        }
        catch (final IOException | RuntimeException ex)
        {
            // no owner file yet
        }
        ctx.put("ownerPid", pid);
        ctx.put("ownerAlive", alive);
        final List<Map<String, Object>> regions = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir))
        {
            for (final Path file : files)
            {
                final String name = file.getFileName().toString();
                if (name.startsWith(RuntimeDirectory.OWNER_FILE) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                {
                    continue;
                }
                final RegionInfo info = RegionInfo.read(file);
                final Map<String, Object> region = new LinkedHashMap<>();
                region.put("name", name);
                region.put("type", info.type() == null ? "?" : info.type().name());
                region.put("variant", info.variant());
                region.put("payloadBytes", info.payloadLength());
                region.put("creatorPid", info.creatorPid());
                region.put("creatorAlive", info.isCreatorAlive());
                region.put("created", info.createdMillis() == 0 ? "" : Instant.ofEpochMilli(info.createdMillis()).toString());
                region.put("problem", info.problem());
                region.put("state", info.state());
                regions.add(region);
            }
        }
        catch (final IOException ex)
        {
            ctx.put("problem", "cannot list: " + ex.getMessage());
        }
        regions.sort((a, b) -> String.valueOf(a.get("name")).compareTo(String.valueOf(b.get("name"))));
        ctx.put("regions", regions);
        return ctx;
    }

    private static void printTable(final Path base, final List<Map<String, Object>> contexts, final PrintStream out, final boolean once)
    {
        out.println("mp4j stat - " + LocalTime.now().format(TIME) + " - " + contexts.size() + " runtime director" +
            (contexts.size() == 1 ? "y" : "ies") + " under " + base + (once ? "" : " (every 1 s, Ctrl-C to stop)"));
        for (final Map<String, Object> ctx : contexts)
        {
            out.println();
            out.printf("%s  owner pid %s %s%n", printable(ctx.get("path")), ctx.get("ownerPid"),
                Boolean.TRUE.equals(ctx.get("ownerAlive")) ? "(alive)" : "(DEAD: swept by the next mp4j start)");
            @SuppressWarnings("unchecked") final List<Map<String, Object>> regions = (List<Map<String, Object>>)ctx.get("regions");
            if (regions.isEmpty())
            {
                out.println("  (no regions)");
                continue;
            }
            out.printf("  %-28s %-15s %12s %9s %-6s %-8s %s%n", "NAME", "TYPE", "BYTES", "CREATOR", "ALIVE", "CREATED", "STATE");
            for (final Map<String, Object> r : regions)
            {
                final String created = String.valueOf(r.get("created"));
                out.printf("  %-28s %-15s %12s %9s %-6s %-8s %s%n", printable(r.get("name")), r.get("type"), r.get("payloadBytes"),
                    r.get("creatorPid"), Boolean.TRUE.equals(r.get("creatorAlive")) ? "yes" : "no",
                    created.isEmpty() ? "" : LocalTime.ofInstant(Instant.parse(created), ZoneId.systemDefault()).format(TIME),
                    printable(r.get("problem") == null ? r.get("state") : "! " + r.get("problem")));
            }
        }
    }

    /**
     * @return the text with every control character as '?': a file name may hold escape sequences that
     * would drive the terminal.
     */
    static String printable(final Object text)
    {
        final String s = String.valueOf(text);
        final StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return out.toString();
    }
}
