package podnet.node.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.remote.HttpCommandExecutor;
import org.openqa.selenium.remote.RemoteWebDriver;
import org.openqa.selenium.remote.http.HttpMethod;
import org.openqa.selenium.remote.http.HttpRequest;
import podnet.linux.inet.Cidr;
import podnet.linux.inet.MacAddress;
import podnet.linux.netlink.Fdb;
import podnet.linux.netlink.Neighbours;
import podnet.linux.netlink.Route;
import podnet.linux.netlink.Routes;
import podnet.linux.netlink.Vxlan;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.testing.BridgeNode;
import podnet.linux.testing.Ip;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;
import podnet.node.policy.Policies;
import podnet.node.policy.PolicyManifest;
import podnet.node.policy.PolicyPod;

/**
 * The live page in headless Chromium, driven by Selenium through Debian's chromedriver (its
 * path given, nothing downloaded, Selenium Manager never involved: we start the driver
 * ourselves). Server, driver and browser all live in a throwaway namespace. The page loads, a
 * pod made afterwards appears without a reload, a ping becomes a flow row, a drop is
 * highlighted on its hop, a VXLAN tunnel (flannel.1 and a peer) appears and a peer that loses
 * its FDB entry turns red; screenshots go to target/ui-screenshots.
 */
class UiServerTest {
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver", CHROMIUM = "/usr/bin/chromium";
    private static final Path SHOTS = Path.of("target", "ui-screenshots");

    @TempDir
    Path profile;
    @TempDir
    Path state;
    private TestNetns ns;
    private UiServer ui;
    private Process driverProcess;
    private RemoteWebDriver browser;

    @AfterEach
    void tearDown() {
        try {
            if (browser != null) {
                browser.quit();
            }
        } catch (RuntimeException e) {
            // the driver is killed below anyway
        }
        if (driverProcess != null) {
            driverProcess.descendants().forEach(ProcessHandle::destroyForcibly);
            driverProcess.destroyForcibly();
        }
        try {
            if (ui != null) {
                ui.close();
            }
        } finally {
            if (ns != null) {
                ns.close();
            }
        }
    }

    @Test
    void theNodeLiveInABrowser() throws Exception {
        Root.assume();
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(CHROMEDRIVER)), "chromium-driver is not installed");
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ns = new TestNetns("observe");
        BridgeNode node = BridgeNode.create(ns, 2);
        Netns web = ns.add("web");
        try (NetlinkHandle h = NetlinkHandle.open(web)) {
            h.links().setUp("lo");
        }
        ui = UiServer.start(node.node, null, web, new InetSocketAddress("127.0.0.1", 0));
        browser = browser(web);
        Files.createDirectories(SHOTS);

        browser.get(ui.url());
        await("the bridge", () -> !browser.findElements(By.id("bridge-cni0")).isEmpty());
        await("both pods", () -> browser.findElements(By.cssSelector("g.pod")).size() == 2);
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("live");
        shot("1-loaded");

        Netns third = ns.add("pod2");
        try (NetlinkHandle h = NetlinkHandle.open(node.node)) {
            h.links().addVeth("vethui0002", "eth0", third, 0);
            h.links().setMaster("vethui0002", "cni0");
            h.links().setUp("vethui0002");
            try (NetlinkHandle p = NetlinkHandle.open(third)) {
                p.addresses().add("eth0", Cidr.parse("10.244.2.4/24"));
                p.links().setUp("eth0");
            }
        }
        await("the new pod, without a reload", () -> !browser.findElements(By.id("pod-" + third.name())).isEmpty()
                && browser.findElement(By.id("pod-" + third.name())).getText().contains("10.244.2.4"));
        shot("2-new-pod");

        assertThat(Ip.ping(node.pods.get(0).netns().name(), "10.244.2.3", 2)).isTrue();
        await("a flow row for the ping", () -> rows().stream().anyMatch(r -> r.getText().contains("icmp")
                && r.getText().contains("10.244.2.3") && r.getText().contains("FORWARDED")));
        shot("3-flow");

        Ip.run("ip", "netns", "exec", third.name(), "nft", "add table inet t; add chain inet t input"
                + " { type filter hook input priority 0; }; add rule inet t input icmp type echo-request drop").ok();
        assertThat(Ip.ping(node.pods.get(0).netns().name(), "10.244.2.4", 1)).isFalse();
        await("the dropped flow in red", () -> rows().stream().anyMatch(r -> r.getAttribute("class").contains("verdict-DROPPED")
                && r.getText().contains("NETFILTER_DROP")));
        await("the drop on its hop", () -> browser.findElement(By.id("port-vethui0002")).getAttribute("class").contains("drop")
                && browser.findElement(By.id("topology")).getText().contains("NETFILTER_DROP"));
        shot("4-drop");

        // A policy drop: the row and the hop name the policy (x/deny-all isolates 10.244.2.3 for ingress).
        List<PolicyPod> pods = List.of(new PolicyPod("x", "b", Map.of(), Cidr.parseAddress("10.244.2.3"), List.of()));
        new Policies(state, node.node, () -> pods).apply(PolicyManifest.parse("apiVersion: networking.k8s.io/v1\n"
                + "kind: NetworkPolicy\nmetadata: {name: deny-all, namespace: x}\nspec: {podSelector: {}}\n", "default", false));
        assertThat(Ip.ping(node.pods.get(0).netns().name(), "10.244.2.3", 1)).isFalse();
        await("the policy drop in red, named", () -> rows().stream().anyMatch(r -> r.getAttribute("class").contains("verdict-DROPPED")
                && r.getText().contains("DROPPED by policy x/deny-all (ingress")));
        await("the policy on its hop, the bridge", () -> browser.findElement(By.id("bridge-cni0")).getAttribute("class").contains("drop")
                && browser.findElement(By.id("topology")).getText().contains("dropped by policy x/deny-all (ingress)"));
        shot("4b-policy-drop");

        browser.findElement(By.id("pod-" + node.pods.get(0).netns().name())).click();
        await("the pod's details", () -> !browser.findElements(By.id("pod-title")).isEmpty()
                && browser.findElement(By.id("details")).getText().contains("10.244.2.2/24"));
        String details = browser.findElement(By.id("details")).getText();
        assertThat(details).contains("routes").contains("10.244.2.0/24").contains("ARP / ND table").contains("10.244.2.3")
                .contains("recent flows");
        shot("5-pod-details");

        // A VTEP as the cluster agent makes it (flannel.1, then per peer: neighbour, FDB, onlink route):
        // it appears on the node page from the rtnetlink events alone, and a peer losing its FDB entry turns red.
        MacAddress peerMac = MacAddress.parse("02:aa:bb:cc:dd:03");
        int vtep;
        try (NetlinkHandle h = NetlinkHandle.open(node.node)) {
            vtep = h.links().addVxlan("flannel.1", new Vxlan(1, Vxlan.FLANNEL_PORT, 0,
                    Cidr.parseAddress("192.168.50.11"), false), 1450, MacAddress.parse("02:aa:bb:cc:dd:02")).index();
            h.addresses().add("flannel.1", Cidr.parse("10.244.2.0/32"));
            h.links().setUp("flannel.1");
            h.apply(List.of(Neighbours.permanent(vtep, Cidr.parseAddress("10.244.3.0"), peerMac),
                    Fdb.remote(vtep, peerMac, Cidr.parseAddress("192.168.50.13")),
                    Routes.replacement(Route.onlink(Cidr.parse("10.244.3.0/24"), Cidr.parseAddress("10.244.3.0"), vtep))));
        }
        String peerId = "peer-flannel.1-02:aa:bb:cc:dd:03";
        await("the tunnel and its peer", () -> !browser.findElements(By.id("tunnel-flannel.1")).isEmpty()
                && browser.findElement(By.id("tunnel-flannel.1")).getText().contains("VNI 1, UDP 8472")
                && browser.findElement(By.id(peerId)).getText().contains("10.244.3.0/24 via 10.244.3.0")
                && browser.findElement(By.id(peerId)).getText().contains("to 192.168.50.13"));
        assertThat(browser.findElement(By.id(peerId)).getAttribute("class")).doesNotContain("missing");
        assertThat(browser.findElements(By.id("uplink-flannel.1"))).as("the VTEP is drawn once, as the tunnel").isEmpty();
        shot("6-tunnel");
        try (NetlinkHandle h = NetlinkHandle.open(node.node)) {
            h.apply(List.of(Fdb.remoteRemoval(vtep, peerMac, Cidr.parseAddress("192.168.50.13"))));
        }
        await("the peer without its FDB entry, in red", () -> browser.findElement(By.id(peerId)).getAttribute("class")
                .contains("missing") && browser.findElement(By.id(peerId)).getText().contains("missing: fdb"));
        shot("7-tunnel-missing-fdb");
    }

    private List<WebElement> rows() {
        return browser.findElements(By.cssSelector("#flows tbody tr"));
    }

    /** chromedriver started by us inside {@code web} (so no Selenium Manager), Chromium under it. */
    private RemoteWebDriver browser(Netns web) throws Exception {
        int port = ThreadLocalRandom.current().nextInt(20_000, 40_000);
        driverProcess = new ProcessBuilder("ip", "netns", "exec", web.name(), CHROMEDRIVER, "--port=" + port)
                .redirectErrorStream(true).redirectOutput(new File(profile.toFile(), "chromedriver.log")).start();
        URL url = URI.create("http://127.0.0.1:" + port).toURL();
        NetnsHttpClient client = new NetnsHttpClient(web, url);
        await("chromedriver", () -> {
            try {
                return client.execute(new HttpRequest(HttpMethod.GET, "/status")).getStatus() == 200;
            } catch (RuntimeException e) {
                return false;
            }
        });
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.resolve("chromium"), "--window-size=1300,900");
        return new RemoteWebDriver(new HttpCommandExecutor(client, url), options);
    }

    private void shot(String name) throws Exception {
        File f = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void await(String what, Supplier<Boolean> condition) {
        long until = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < until) {
            try {
                if (condition.get()) {
                    return;
                }
            } catch (RuntimeException e) {
                // the element is being redrawn: look again
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("timed out waiting for " + what);
    }
}
