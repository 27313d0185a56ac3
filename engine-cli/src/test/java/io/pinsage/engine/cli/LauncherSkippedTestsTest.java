package io.pinsage.engine.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's list of skip reasons, which {@code ./pinsage test} prints after Maven, read from surefire reports. */
class LauncherSkippedTestsTest {

    /** The launcher at the project root; surefire runs tests in the module's folder. */
    private static final Path LAUNCHER = Path.of("..", "pinsage").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void shouldCountEachDistinctSkipReasonWithItsModules() throws Exception {
        report("gpu", "TEST-a.xml", """
                <testsuite name="a" tests="4" skipped="3">
                  <testcase name="one" classname="a" time="0.0">
                    <skipped message="CUDA unavailable: &quot;no driver&quot; &amp; &lt;no device&gt;"/>
                  </testcase>
                  <testcase name="two" classname="a" time="0.0">
                    <skipped type="org.opentest4j.TestAbortedException" message="CUDA unavailable: &quot;no driver&quot; &amp; &lt;no device&gt;"/>
                  </testcase>
                  <testcase name="three" classname="a" time="0.0">
                    <skipped/>
                  </testcase>
                  <testcase name="four" classname="a" time="0.1"/>
                </testsuite>
                """);
        report("store", "TEST-b.xml", """
                <testsuite name="b" tests="2" skipped="2">
                  <testcase name="five" classname="b" time="0.0">
                    <skipped message="CUDA unavailable: &quot;no driver&quot; &amp; &lt;no device&gt;"/>
                  </testcase>
                  <testcase name="six" classname="b" time="0.0">
                    <skipped type="org.opentest4j.TestAbortedException"><![CDATA[org.opentest4j.TestAbortedException: Assumption failed: dataset absent (looked in ../shared)
                ]]></skipped>
                  </testcase>
                </testsuite>
                """);
        String out = launcher("skipped", dir.toString());
        assertEquals("""
                Skipped tests: 5, by reason:
                      3  CUDA unavailable: "no driver" & <no device>  [gpu store]
                      1  dataset absent (looked in ../shared)  [store]
                      1  (no reason given)  [gpu]
                """, out);
    }

    @Test
    void shouldPrintNothingWhenNoTestWasSkipped() throws Exception {
        report("gpu", "TEST-a.xml", "<testsuite name=\"a\" tests=\"1\"><testcase name=\"one\" classname=\"a\"/></testsuite>\n");
        assertEquals("", launcher("skipped", dir.toString()));
    }

    private void report(String module, String name, String xml) throws IOException {
        Path reports = Files.createDirectories(dir.resolve(module).resolve("target").resolve("surefire-reports"));
        Files.writeString(reports.resolve(name), xml);
    }

    private static String launcher(String... args) throws Exception {
        String[] command = new String[args.length + 2];
        command[0] = "bash";
        command[1] = LAUNCHER.toString();
        System.arraycopy(args, 0, command, 2, args.length);
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher still running after 60 s");
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
