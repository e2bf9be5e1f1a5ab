#!/usr/bin/env python3
"""Print the README's benchmark table from one sitting's JSON (./mp4j bench --python --out F).

Usage: python3 bench/readme_table.py bench/results/F.json

Every figure comes from the file's "summary" (mp4j) and "cpython.summary" (CPython, same sitting); a figure
missing from the file prints as a dash. The last column compares the two where both exist.
"""
import json
import sys


def load(path):
    with open(path) as f:
        d = json.load(f)
    return d.get("summary", {}), d.get("cpython", {}).get("summary", {})


def num(v, kind):
    if v is None:
        return "—"
    if kind == "M":
        return "%.2f M" % (v / 1e6) if v < 1e7 else "%.1f M" % (v / 1e6)
    if kind == "k":
        return "%.0f k" % (v / 1e3) if v >= 1e5 else "%.1f k" % (v / 1e3) if v < 1e4 else "%.0f k" % (v / 1e3)
    if kind == "rate":
        return num(v, "M") if v >= 1e6 else num(v, "k")
    if kind == "int":
        return "{:,.0f}".format(v)
    if kind == "us":
        return "%.2f" % v if v < 10 else "{:,.0f}".format(v)
    if kind == "ms":
        return "%.0f" % v
    if kind == "ns":
        return "%.2f" % v if v < 1 else "%.1f" % v
    if kind == "GB":
        return "%.1f" % v
    if kind == "s":
        return "%.3f" % v if v < 0.1 else "%.2f" % v
    return str(v)


def ratio(ours, theirs, higher_is_better):
    if ours is None or theirs is None or ours == 0 or theirs == 0:
        return ""
    r = ours / theirs if higher_is_better else theirs / ours
    if r >= 1:
        return "%.1fx" % r if r < 10 else "%.0fx" % r
    return "%.1fx slower" % (1 / r)


def main(path):
    j, p = load(path)

    def g(key, src=None):
        return (src if src is not None else j).get(key)

    def many(keys, kind, src=None):
        return " / ".join(num(g(k, src), kind) for k in keys)

    def cmp(keys, pkeys, higher):
        out = [ratio(g(a), g(b, p), higher) for a, b in zip(keys, pkeys)]
        out = [o for o in out if o]
        return " / ".join(out)

    rows = []

    def row(label, keys, kind, pkeys=None, higher=True, extra=None, note=None):
        ours = many(keys, kind)
        if extra:
            ours += "; " + extra
        theirs = many(pkeys, kind, p) if pkeys else "—"
        comparison = note if note is not None else (cmp(keys, pkeys, higher) if pkeys else "")
        rows.append("| %s | %s | %s | %s |" % (label, ours, theirs, comparison))

    row("process start, cold JVM / `spawn` (ms, median of 20)", ["process_start_spawn_ms"], "ms",
        ["process_start_spawn_ms"], higher=False)
    row("process start, cold JVM + CDS archive + `-XX:TieredStopAtLevel=1 -XX:+UseSerialGC` (ms)",
        ["process_start_spawn_cds_tuned_ms"], "ms")
    row("process start, ready spare JVM / `forkserver` (ms)", ["process_start_spare_ms"], "ms",
        ["process_start_forkserver_ms"], higher=False)
    rows.append("| Pool(2) ready, both workers ran a task: `spawn` / from spare JVMs (`spare`, `mp4j.spares`=2) (ms) | %s | %s | %s |" % (
        many(["pool_ready_ms", "pool_ready_spare_ms"], "ms"), num(g("pool_ready_ms", p), "ms"),
        " / ".join(x for x in [ratio(g("pool_ready_ms"), g("pool_ready_ms", p), False),
                               ratio(g("pool_ready_spare_ms"), g("pool_ready_ms", p), False)] if x)))
    row("`pool.map(square, 200,000)`, default chunks (tasks/s)", ["pool_map_default_tasks_per_s"], "rate",
        ["pool_map_default_tasks_per_s"])
    row("`pool.map(..., chunksize=1)` over 20,000 (tasks/s)", ["pool_map_chunk1_tasks_per_s"], "rate",
        ["pool_map_chunk1_tasks_per_s"])
    row("the same, median of 20 more passes in the same pool, warm (tasks/s)", ["pool_map_chunk1_warm_tasks_per_s"], "rate")
    row("`applyAsync(square, i).get()` round trip p50 / p99 (µs)", ["pool_apply_async_p50_us", "pool_apply_async_p99_us"],
        "us", ["pool_apply_async_p50_us", "pool_apply_async_p99_us"], higher=False)
    row("the same round trip in the 4th pass of 5,000 calls, warm: p50 / p99 (µs)",
        ["pool_apply_async_warm_p50_us", "pool_apply_async_warm_p99_us"], "us")
    row("Queue 1→1 ints, cold / warm (msgs/s)", ["queue_int_msgs_per_s", "queue_int_warm_msgs_per_s"], "rate",
        ["queue_int_msgs_per_s"])
    row("raw Agrona `ManyToOneRingBuffer`, same children, cold / warm / warm batch-drained",
        ["raw_agrona_int_msgs_per_s", "raw_agrona_int_warm_msgs_per_s", "raw_agrona_int_batch_warm_msgs_per_s"], "rate",
        note="the floor")
    row("Queue 1→1 64-byte payloads, cold / warm (msgs/s); raw twin cold / warm",
        ["queue_bytes64_msgs_per_s", "queue_bytes64_warm_msgs_per_s"], "rate", ["queue_bytes64_msgs_per_s"],
        extra=many(["raw_agrona_bytes64_msgs_per_s", "raw_agrona_bytes64_warm_msgs_per_s"], "rate"))
    row("Queue 2→1 ints, cold / warm (msgs/s); raw twin cold / warm",
        ["queue_int_2p_msgs_per_s", "queue_int_2p_warm_msgs_per_s"], "rate", ["queue_int_2p_msgs_per_s"],
        extra=many(["raw_agrona_int_2p_msgs_per_s", "raw_agrona_int_2p_warm_msgs_per_s"], "rate"))
    row("SimpleQueue 1→1 ints / 2→1, cold (msgs/s)", ["simplequeue_int_msgs_per_s", "simplequeue_int_2p_msgs_per_s"],
        "rate", ["simplequeue_int_msgs_per_s", "simplequeue_int_2p_msgs_per_s"])
    row("Pipe ping-pong, object, p50 / p99 / p99.9 (µs)",
        ["pipe_pingpong_obj_p50_us", "pipe_pingpong_obj_p99_us", "pipe_pingpong_obj_p999_us"], "us",
        ["pipe_pingpong_obj_p50_us", "pipe_pingpong_obj_p99_us", "pipe_pingpong_obj_p999_us"], higher=False)
    row("Pipe ping-pong, 64 bytes, p50 (µs); raw Agrona ping-pong p50, spin", ["pipe_pingpong_bytes64_p50_us"], "us",
        ["pipe_pingpong_bytes64_p50_us"], higher=False, extra=num(g("raw_agrona_pingpong_p50_us"), "us"))
    row("Pipe 64 B, duplex / one-way pipe, cold (msgs/s)", ["pipe_64b_msgs_per_s", "pipe_oneway_64b_msgs_per_s"], "rate",
        ["pipe_64b_msgs_per_s", "pipe_oneway_64b_msgs_per_s"])
    oneway = [g("pipe_oneway_64b_warm_msgs_per_s"), g("pipe_oneway_64b_into_warm_msgs_per_s")]
    raw = g("raw_agrona_pipe_64b_warm_msgs_per_s")
    rows.append("| Pipe 64 B one-way pipe, warm, `recvBytes` / `recvBytesInto` (msgs/s); raw `OneToOneRingBuffer` twin, "
                "cold / warm | %s; %s | — | %s |" % (
                    " / ".join(num(v, "rate") for v in oneway),
                    many(["raw_agrona_pipe_64b_msgs_per_s", "raw_agrona_pipe_64b_warm_msgs_per_s"], "rate"),
                    " / ".join(("%.1fx off raw" % (raw / v)) if v < raw else ("%.1fx faster than raw" % (v / raw))
                               for v in oneway if v and raw)))
    big = [g("pipe_1mib_MB_per_s"), g("pipe_1mib_into_MB_per_s")]
    rows.append("| Pipe 1 MiB messages: `recvBytes` (new array each) / `recvBytesInto` (reused) / raw twin (MB/s) | %s | %s | %s |" % (
        many(["pipe_1mib_MB_per_s", "pipe_1mib_into_MB_per_s", "raw_agrona_pipe_1mib_MB_per_s"], "int"),
        num(g("pipe_1mib_MB_per_s", p), "int"),
        " / ".join(ratio(v, g("pipe_1mib_MB_per_s", p), True) for v in big if v)))
    dq, rc = g("durable_queue_msgs_per_s"), g("raw_chronicle_msgs_per_s")
    row("DurableQueue (Chronicle Queue) 1→1 longs, subscriber / raw Chronicle, same run (msgs/s)",
        ["durable_queue_msgs_per_s", "raw_chronicle_msgs_per_s"], "rate",
        note="layer costs %.2fx" % (rc / dq) if dq and rc else "")
    row("DurableQueue one-way, paced every 20 µs, p50 / p99 / p99.9 (µs); raw Chronicle paced",
        ["durable_queue_paced_oneway_p50_us", "durable_queue_paced_oneway_p99_us", "durable_queue_paced_oneway_p999_us"],
        "us", extra=many(["raw_chronicle_paced_oneway_p50_us", "raw_chronicle_paced_oneway_p99_us",
                          "raw_chronicle_paced_oneway_p999_us"], "us"))
    row("`Value` + lock, 2 JVMs x 100,000 locked increments (ops/s), exact", ["value_lock_increment_ops_per_s"], "rate",
        ["value_lock_increment_ops_per_s"])
    row("uncontended acquire+release: Lock / RLock / Semaphore (ns)", ["lock_ns", "rlock_ns", "semaphore_ns"], "ns",
        ["lock_ns", "rlock_ns", "semaphore_ns"], higher=False)
    row("Event ping-pong p50 (µs), backoff / spin", ["event_pingpong_p50_us", "event_pingpong_spin_p50_us"], "us",
        ["event_pingpong_p50_us"], higher=False)
    row("Condition ping-pong p50 (µs)", ["condition_pingpong_p50_us"], "us", ["condition_pingpong_p50_us"], higher=False)
    row("Barrier(2) rounds/s", ["barrier_rounds_per_s"], "int", ["barrier_rounds_per_s"])
    rows.append("| sum of a shared double[10 M] element by element, warm (GB/s); first 1 M elements (ns/element) | %s; %s | %s; %s | %s; %s |" % (
        num(g("array_sum_GB_per_s"), "GB"), num(g("array_sum_arr_1m_ns_per_elem"), "ns"),
        num(g("array_sum_memoryview_GB_per_s", p), "GB"), num(g("array_sum_arr_1m_ns_per_elem", p), "ns"),
        ratio(g("array_sum_GB_per_s"), g("array_sum_memoryview_GB_per_s", p), True),
        ratio(g("array_sum_arr_1m_ns_per_elem"), g("array_sum_arr_1m_ns_per_elem", p), False)))
    row("bulk copy out of the array (`copyTo` / memmove, GB/s)", ["array_memmove_GB_per_s"], "GB", ["array_memmove_GB_per_s"])
    row("Manager dict set / get, list append, 20,000 each from a cold child (ops/s)",
        ["manager_dict_set_ops_per_s", "manager_dict_get_ops_per_s", "manager_list_append_ops_per_s"], "rate",
        ["manager_dict_set_ops_per_s", "manager_dict_get_ops_per_s", "manager_list_append_ops_per_s"])
    row("the same dict set / get once the JIT is warm (10th pass in the child)",
        ["manager_dict_warm_set_ops_per_s", "manager_dict_warm_get_ops_per_s"], "rate")
    rows.append("| SharedMemory 64 MiB: child writes / parent reads (GB/s); plain copy %s | %s | %s | %s |" % (
        num(g("shm_plain_copy_GB_per_s"), "GB"), many(["shm_child_write_GB_per_s", "shm_parent_read_GB_per_s"], "GB"),
        many(["shm_child_write_GB_per_s", "shm_parent_read_GB_per_s"], "GB", p),
        cmp(["shm_child_write_GB_per_s", "shm_parent_read_GB_per_s"], ["shm_child_write_GB_per_s", "shm_parent_read_GB_per_s"], True)))
    row("the seed's `cpu_bound` x4: sequential / 4 threads / Pool(2) incl. start-up / map only (s)",
        ["cpu_bound_sequential_s", "cpu_bound_threads_4_s", "cpu_bound_pool_2_with_startup_s", "cpu_bound_pool_2_map_only_s"],
        "s", ["cpu_bound_sequential_s", "cpu_bound_threads_4_s", "cpu_bound_pool_2_with_startup_s",
              "cpu_bound_pool_2_map_only_s"], note="see below")

    print("| figure | mp4j | CPython | |")
    print("|---|--:|--:|---|")
    for r in rows:
        print(r)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: readme_table.py RESULTS.json")
    main(sys.argv[1])
