package io.hupwatch.testservers;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;

/**
 * A plain embedded Tomcat (run on Tomcat 11 from target/tomcat-11): the {@link Tomcat} class, its default HTTP/1.1
 * connector, one servlet; Tomcat's default base directory
 * ({@code tomcat.PORT} in the working directory). Usage: {@code PORT}.
 */
public final class TomcatPlainServer {
    private TomcatPlainServer() {}

    public static void main(String[] args) throws Exception {
        String generation = System.getenv().getOrDefault("HUPWATCH_GENERATION", "?");
        long pid = ProcessHandle.current().pid();
        byte[] body = ("generation " + generation + " pid " + pid + "\n").getBytes(StandardCharsets.UTF_8);

        Tomcat tomcat = new Tomcat();
        tomcat.setPort(Integer.parseInt(args[0]));
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "generation", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                response.setContentType("text/plain");
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
            }
        });
        context.addServletMappingDecoded("/*", "generation");
        tomcat.getConnector(); // the default HTTP/1.1 connector on the port
        tomcat.start();
        System.err.println(ServerInfo.getServerInfo() + " generation " + generation + " pid " + pid
                + " listening on port " + tomcat.getConnector().getLocalPort());
        tomcat.getServer().await();
    }
}
