import os
import signal
import threading
import time

# A bad release, for the tests: with TEST_EXIT_AFTER_MS=N in its environment, each worker asks the
# gunicorn master to stop (SIGTERM, a graceful stop) N ms after it started.
_exit_after = os.environ.get("TEST_EXIT_AFTER_MS")
if _exit_after:
    def _stop_master(delay, master):
        time.sleep(delay)
        os.kill(master, signal.SIGTERM)
    threading.Thread(target=_stop_master, args=(int(_exit_after) / 1000.0, os.getppid()), daemon=True).start()

def app(environ, start_response):
    body = ("generation %s pid %d\n" % (os.environ.get("HUPWATCH_GENERATION"), os.getpid())).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), ("Connection", "close")])
    return [body]
