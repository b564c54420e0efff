import os

def app(environ, start_response):
    body = ("generation %s pid %d\n" % (os.environ.get("HUPWATCH_GENERATION"), os.getpid())).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), ("Connection", "close")])
    return [body]
