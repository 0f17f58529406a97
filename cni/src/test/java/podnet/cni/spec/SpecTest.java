package podnet.cni.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import podnet.cni.CniResponse;
import podnet.cni.PluginRunner;

/** Environment, arguments, versions, results and error JSON: no kernel needed. */
class SpecTest {

    static Map<String, String> env(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static int code(Runnable r) {
        try {
            r.run();
        } catch (CniError e) {
            return e.code();
        }
        throw new AssertionError("no CniError");
    }

    @Test
    void environmentIsValidatedAndMissingVariablesAreNamed() {
        assertThatThrownBy(() -> CniEnv.parse(env())).hasMessageContaining("CNI_COMMAND");
        assertThatThrownBy(() -> CniEnv.parse(env("CNI_COMMAND", "FROB"))).hasMessageContaining("FROB");
        assertThatThrownBy(() -> CniEnv.parse(env("CNI_COMMAND", "ADD", "CNI_PATH", "/x")))
                .hasMessageContaining("CNI_CONTAINERID").hasMessageContaining("CNI_NETNS").hasMessageContaining("CNI_IFNAME");
        assertThatThrownBy(() -> CniEnv.parse(env("CNI_COMMAND", "DEL", "CNI_CONTAINERID", "a", "CNI_IFNAME", "eth0")))
                .hasMessageContaining("CNI_PATH");
        assertThat(code(() -> CniEnv.parse(env("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "a/b", "CNI_NETNS", "/n",
                "CNI_IFNAME", "eth0", "CNI_PATH", "/x")))).isEqualTo(4);
        assertThat(code(() -> CniEnv.parse(env("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "a", "CNI_NETNS", "/n",
                "CNI_IFNAME", "a-very-long-interface-name", "CNI_PATH", "/x")))).isEqualTo(4);
        CniEnv del = CniEnv.parse(env("CNI_COMMAND", "DEL", "CNI_CONTAINERID", "a", "CNI_IFNAME", "eth0", "CNI_PATH", "/a:/b"));
        assertThat(del.hasNetns()).isFalse();
        assertThat(del.path()).hasSize(2);
        CniEnv gc = CniEnv.parse(env("CNI_COMMAND", "GC", "CNI_PATH", "/a"));
        assertThat(gc.command()).isEqualTo(Command.GC);
    }

    @Test
    void cniArgs() {
        assertThat(CniArgs.parse("IP=10.0.0.1;K8S_POD_NAME=p").get("IP")).isEqualTo("10.0.0.1");
        assertThat(code(() -> CniArgs.parse("FOO=bar"))).isEqualTo(4);
        assertThat(CniArgs.parse("IgnoreUnknown=true;FOO=bar").get("FOO")).isEqualTo("bar");
        assertThat(code(() -> CniArgs.parse("novalue"))).isEqualTo(4);
    }

    @Test
    void versionsAreNegotiated() {
        assertThat(Versions.choose("0.4.0", null)).isEqualTo("0.4.0");
        assertThat(Versions.choose(null, List.of("0.4.0", "1.1.0", "9.9.9"))).isEqualTo("1.1.0");
        assertThat(Versions.choose("1.0.0", List.of("2.0.0"))).isEqualTo("1.0.0");
        assertThat(code(() -> Versions.choose("0.2.0", null))).isEqualTo(1);
        assertThat(code(() -> Versions.choose(null, null))).isEqualTo(1);
        assertThat(code(() -> Versions.choose(null, List.of("3.0.0")))).isEqualTo(1);
        assertThat(Versions.compare("0.10.0", "0.4.0")).isPositive();
    }

    @Test
    void resultsConvertBetweenVersions() {
        String v11 = """
                {"cniVersion":"1.1.0","interfaces":[{"name":"eth0","mac":"0a:58:00:00:00:01","mtu":1400,"sandbox":"/x"}],
                 "ips":[{"interface":0,"address":"10.1.0.5/24","gateway":"10.1.0.1"},{"interface":0,"address":"fd00::5/64"}],
                 "routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1","mtu":1300,"priority":5,"table":100,"scope":0}],
                 "dns":{"nameservers":["10.0.0.53"],"search":["a"]}}""";
        Result r = Result.fromJson(Json.parseObject(v11.getBytes(StandardCharsets.UTF_8), "r"), "1.1.0");
        Map<String, Object> same = r.toJson("1.1.0");
        assertThat(Json.writeString(same)).contains("\"mtu\":1400", "\"priority\":5", "\"table\":100");
        Map<String, Object> old = r.toJson("0.3.1");
        String o = Json.writeString(old);
        assertThat(o).contains("\"version\":\"4\"", "\"version\":\"6\"", "\"cniVersion\":\"0.3.1\"")
                .doesNotContain("priority", "\"mtu\"");
        Result back = Result.fromJson(old, "0.3.1");
        assertThat(Json.writeString(back.toJson("1.0.0"))).doesNotContain("\"version\"").contains("fd00::5/64");
        assertThat(back.ips()).isEqualTo(r.ips());
        assertThat(code(() -> r.toJson("0.2.0"))).isEqualTo(1);
        assertThat(code(() -> Result.fromJson(Json.parseObject("{\"cniVersion\":\"0.2.0\",\"ip4\":{}}".getBytes(), "r"), "0.2.0")))
                .isEqualTo(1);
        assertThat(code(() -> Result.fromJson(Json.parseObject("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"x\"}]}".getBytes(), "r"), "1.0.0")))
                .isEqualTo(6);
        assertThat(code(() -> Result.fromJson(Json.parseObject(
                "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"interface\":3,\"address\":\"10.0.0.1/8\"}]}".getBytes(), "r"), "1.0.0")))
                .isEqualTo(6);
    }

    @Test
    void kernelErrorsMapToSpecCodes() {
        assertThat(PluginRunner.toCniError(new podnet.linux.sys.SysException("RTM_NEWLINK", podnet.linux.sys.Errno.EAGAIN)).code())
                .isEqualTo(CniError.TRY_AGAIN_LATER);
        assertThat(PluginRunner.toCniError(new podnet.linux.sys.SysException("RTM_NEWLINK", podnet.linux.sys.Errno.EBUSY)).code())
                .isEqualTo(CniError.TRY_AGAIN_LATER);
        assertThat(PluginRunner.toCniError(new java.io.UncheckedIOException(new java.io.IOException("disk"))).code())
                .isEqualTo(CniError.IO_FAILURE);
        assertThat(PluginRunner.toCniError(new IllegalStateException("x")).code()).isEqualTo(CniError.INTERNAL);
    }

    static CniResponse run(String plugin, Map<String, String> env, String stdin) {
        return PluginRunner.run(plugin, env, stdin.getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, Object> out(CniResponse r) {
        return Json.parseObject(r.stdout(), "stdout");
    }

    @Test
    void runnerPrintsVersionAndErrorJson() {
        CniResponse v = run("bridge", env("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"0.4.0\"}");
        assertThat(v.exitCode()).isZero();
        assertThat(out(v)).containsEntry("cniVersion", "0.4.0")
                .containsEntry("supportedVersions", List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"));
        Map<String, String> add = env("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c", "CNI_NETNS", "/n", "CNI_IFNAME", "eth0",
                "CNI_PATH", "/usr/lib/cni");
        CniResponse bad = run("host-local", add, "{not json");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(out(bad)).containsEntry("code", 6);
        assertThat(out(run("host-local", add, "[1,2]"))).containsEntry("code", 6);
        assertThat(out(run("host-local", add, ""))).containsEntry("code", 6);
        Map<String, Object> noName = out(run("host-local", add, "{\"cniVersion\":\"1.0.0\",\"type\":\"host-local\"}"));
        assertThat(noName).containsEntry("code", 7).containsEntry("cniVersion", "1.0.0");
        assertThat((String) noName.get("msg")).contains("name");
        assertThat(out(run("host-local", add, "{\"cniVersion\":\"0.1.0\",\"name\":\"n\"}"))).containsEntry("code", 1);
        assertThat(out(run("bridge", env("CNI_COMMAND", "ADD"), "{}"))).containsEntry("code", 4);
        assertThat(out(run("frobnicate", add, "{}"))).containsEntry("code", 7);
        Map<String, Object> status = out(run("bridge", env("CNI_COMMAND", "STATUS", "CNI_PATH", "/x"),
                "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\"}"));
        assertThat(status).containsEntry("code", 1);
    }

    @Test
    void inputIsStrictOnePlainObject() {
        Map<String, String> add = env("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c", "CNI_NETNS", "/n", "CNI_IFNAME", "eth0",
                "CNI_PATH", "/usr/lib/cni");
        String ok = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"host-local\"}";
        for (String bad : List.of(ok + " junk", ok + ok, ok + "]",
                "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"name\":\"m\",\"type\":\"host-local\"}",
                "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"a\":1,\"a\":2}}")) {
            for (CniResponse r : List.of(run("host-local", add, bad),
                    PluginRunner.runExecutable("host-local", add, bad.getBytes(StandardCharsets.UTF_8)))) {
                assertThat(r.exitCode()).as(bad).isEqualTo(1);
                assertThat(out(r)).as(bad).containsEntry("code", 6);
            }
        }
        assertThat((String) out(run("host-local", add, ok + " junk")).get("msg")).contains("unexpected data after the object");
        assertThat((String) out(run("host-local", add, ok.replace("\"type\"", "\"name\":\"x\",\"type\""))).get("msg"))
                .contains("Duplicate key");
        // whitespace after the object is fine: the error is about the missing ipam, not the input
        assertThat(out(run("host-local", add, ok + " \n\t"))).containsEntry("code", 7);
    }

    @Test
    void stdinAndEnvironmentAreBounded() {
        Map<String, String> add = env("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c", "CNI_NETNS", "/n", "CNI_IFNAME", "eth0",
                "CNI_PATH", "/usr/lib/cni");
        String big = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"pad\":\"" + "x".repeat(Limits.MAX_STDIN) + "\"}";
        Map<String, Object> tooBig = out(run("bridge", add, big));
        assertThat(tooBig).containsEntry("code", 6);
        assertThat((String) tooBig.get("msg")).contains("too large");
        Map<String, String> fat = new HashMap<>(add);
        fat.put("PAD", "y".repeat(Limits.MAX_ENV_BYTES));
        assertThat(out(run("bridge", fat, "{}"))).containsEntry("code", 6);
        Map<String, String> many = new HashMap<>(add);
        for (int i = 0; i <= Limits.MAX_ENV_VARS; i++) {
            many.put("V" + i, "1");
        }
        assertThat((String) out(run("bridge", many, "{}")).get("msg")).contains("environment is too large");
    }
}
