"""One database server restarting under load: while it is away every
request gets a quick 503 (never a hang, never a 500); once it is back the
same workers answer normally, without a restart of ctrack, and every write
that was acknowledged is there with its audit row."""
import os
import signal
import time

from conftest import Writer, found_names, pid_alive


def test_database_restart_under_load(single):
    app_pid = single.app_pid()
    w = single.login()
    readers = [single.clone(w) for _ in range(2)]
    writer = Writer(single, w, threads=2, tag="Restart").start()
    reads = []

    def read_loop(client, stop_at):
        while time.monotonic() < stop_at:
            t0 = time.monotonic()
            try:
                st = client.request("GET", "/contacts", allow_5xx=True, timeout=30).status_code
            except Exception:
                st = None
            reads.append((t0, time.monotonic(), st))

    import threading
    try:
        writer.wait_acked(20)
        pid = single.db_pid()
        t_down = time.monotonic()
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pid_alive(pid), "mariadbd did not stop"
        t_gone = time.monotonic()
        stop_at = time.monotonic() + 3
        threads = [threading.Thread(target=read_loop, args=(c, stop_at)) for c in readers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t_start = time.monotonic()
        single.run("start", single.dir, str(single.port), "2")  # starts only what is not running
        t_up = time.monotonic()
        back = None
        deadline = time.monotonic() + 30
        while back is None and time.monotonic() < deadline:
            back = writer.first_ack_after(t_up)
            time.sleep(0.1)
        assert back is not None, "no write acknowledged after the database came back"
        read_loop(readers[0], time.monotonic() + 1)
        time.sleep(1)
    finally:
        writer.stop()
    down_reads = [(t0, t1, st) for (t0, t1, st) in reads if t_gone <= t0 and t1 <= t_start]
    codes = {}
    for _, _, st in down_reads:
        codes[st] = codes.get(st, 0) + 1
    slowest = max((t1 - t0 for t0, t1, st in down_reads), default=0)
    after = [st for (t0, t1, st) in reads if t0 >= back]
    acked = writer.acked()
    found = found_names(single.db(), writer.tag)
    lost = [name for cid, name, t in acked if name not in found]
    write_errors = {k: v for k, v in writer.statuses(since=t_down).items() if k != 303}
    print(f"\ndatabase restart under load: {len(down_reads)} page views while it was down: {codes}, "
          f"slowest {slowest * 1000:.0f} ms; restart took {t_up - t_start:.1f} s; writes acknowledged again "
          f"{back - t_up:.2f} s after it answered; write errors meanwhile {write_errors}; {len(acked)} writes "
          f"acknowledged, {len(lost)} lost")
    assert down_reads, "no request was made while the database was down"
    assert set(codes) == {503}, codes
    assert slowest < 10, f"a 503 took {slowest:.1f} s (it should not wait for the database)"
    assert after and set(after) == {200}, after
    assert set(write_errors) <= {503}, write_errors
    assert lost == []
    assert all(n == 1 for cid, n in found.values())
    assert single.app_pid() == app_pid, "ctrack was restarted"
