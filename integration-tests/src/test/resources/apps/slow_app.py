# A WSGI app that takes APP_LOAD_SECONDS (default 2) to import, like a real application loading
# its code, connecting to its database and warming caches. Each response names its generation.
import os
import time

time.sleep(float(os.environ.get("APP_LOAD_SECONDS", "2")))


def app(environ, start_response):
    body = ("generation %s pid %d\n" % (os.environ.get("HUPWATCH_GENERATION"), os.getpid())).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))),
                              ("Connection", "close")])
    return [body]
