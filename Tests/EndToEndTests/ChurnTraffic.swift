import Foundation

/// The two programs of the policy churn test, run in pods with `hlab exec python3 FILE ...`.
/// Python because the counting has to be exact and the client needs threads; both only use the
/// standard library.
enum ChurnTraffic {
    /// `server.py ALLOWED DENIED COUNTS`: an echo server on TCP ALLOWED; on DENIED a TCP
    /// listener, a UDP socket and a raw socket that count every connection, datagram and TCP
    /// segment that reaches the pod. Writes the counts as JSON to COUNTS every 100 ms and on
    /// SIGTERM; creates COUNTS.ready once listening.
    static let server = #"""
        import json, os, signal, socket, socketserver, struct, sys, threading
        allowed, denied, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
        counts = {"allowed_connections": 0, "denied_connections": 0, "denied_datagrams": 0, "denied_segments": 0}
        lock = threading.Lock()
        def bump(key):
            with lock: counts[key] += 1
        def dump():
            with lock: data = json.dumps(counts)
            with open(path + ".tmp", "w") as f: f.write(data)
            os.replace(path + ".tmp", path)
        class Echo(socketserver.BaseRequestHandler):
            def handle(self):
                bump("allowed_connections")
                while True:
                    data = self.request.recv(4096)
                    if not data: return
                    self.request.sendall(data)
        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True
        echo = Server(("0.0.0.0", allowed), Echo)
        tcp = socket.socket(); tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind(("0.0.0.0", denied)); tcp.listen(128)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); udp.bind(("0.0.0.0", denied))
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        def accept_denied():
            while True:
                conn, _ = tcp.accept(); bump("denied_connections"); conn.close()
        def receive_denied():
            while True:
                udp.recvfrom(2048); bump("denied_datagrams")
        def watch_segments():
            while True:
                packet = raw.recv(65535)
                header = (packet[0] & 0x0F) * 4
                if struct.unpack("!H", packet[header + 2:header + 4])[0] == denied: bump("denied_segments")
        for target in (echo.serve_forever, accept_denied, receive_denied, watch_segments):
            threading.Thread(target=target, daemon=True).start()
        def stop(*_):
            dump(); os._exit(0)
        signal.signal(signal.SIGTERM, stop)
        open(path + ".ready", "w").close()
        while True:
            dump(); threading.Event().wait(0.1)
        """#

    /// `client.py HOST ALLOWED DENIED STOP RESULT`: until STOP exists, keeps one connection to
    /// ALLOWED open and exchanges a line on it every 20 ms, opens short connections to ALLOWED
    /// one after another, and tries DENIED over TCP and UDP. Writes what happened to RESULT.
    static let client = #"""
        import json, os, socket, sys, threading, time
        host, allowed, denied, stop, result = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
        r = {"long_exchanges": 0, "long_error": None, "short_ok": 0, "short_failed": 0, "short_errors": [],
             "denied_connected": 0, "denied_attempts": 0, "denied_datagrams_sent": 0}
        lock = threading.Lock()
        def running(): return not os.path.exists(stop)
        def long_lived():
            try:
                s = socket.create_connection((host, allowed), timeout=5)
                s.settimeout(5)
                f = s.makefile("rb")
                n = 0
                while running():
                    n += 1
                    line = b"ping %d\n" % n
                    s.sendall(line)
                    if f.readline() != line: raise Exception("bad echo for ping %d" % n)
                    with lock: r["long_exchanges"] += 1
                    time.sleep(0.02)
                s.close()
            except Exception as e:
                with lock: r["long_error"] = repr(e)
        def short_allowed():
            while running():
                try:
                    with socket.create_connection((host, allowed), timeout=3) as s:
                        s.settimeout(3); s.sendall(b"x")
                        if s.recv(1) != b"x": raise Exception("no echo")
                    with lock: r["short_ok"] += 1
                except Exception as e:
                    with lock:
                        r["short_failed"] += 1
                        if len(r["short_errors"]) < 5: r["short_errors"].append(repr(e))
        def denied_tries():
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            while running():
                udp.sendto(b"d", (host, denied))
                with lock: r["denied_datagrams_sent"] += 1
                try:
                    with socket.create_connection((host, denied), timeout=0.05):
                        with lock: r["denied_connected"] += 1
                except OSError:
                    pass
                with lock: r["denied_attempts"] += 1
        threads = [threading.Thread(target=t) for t in (long_lived, short_allowed, short_allowed, denied_tries, denied_tries)]
        for t in threads: t.start()
        for t in threads: t.join()
        with open(result, "w") as f: json.dump(r, f)
        """#
}
