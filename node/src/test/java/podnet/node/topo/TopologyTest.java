package podnet.node.topo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import podnet.linux.inet.Cidr;
import podnet.linux.netlink.NetlinkHandle;
import podnet.linux.ns.Netns;
import podnet.linux.testing.BridgeNode;
import podnet.linux.testing.ChildProcess;
import podnet.linux.testing.Root;
import podnet.linux.testing.TestNetns;

/** The topology of a node with pods, read from the kernel and drawn. */
class TopologyTest {
    TestNetns namespaces;
    Netns node;
    List<String> hostVeths = new ArrayList<>();
    List<String> podNames = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        namespaces = new TestNetns("topo");
    }

    @AfterEach
    void tearDown() {
        namespaces.close();
    }

    /** The article's node with {@code n} pods (see {@link BridgeNode}). */
    void node(int n) {
        BridgeNode b = BridgeNode.create(namespaces, n);
        node = b.node;
        for (BridgeNode.Pod p : b.pods) {
            hostVeths.add(p.hostVeth());
            podNames.add(p.netns().name());
        }
    }

    @Test
    void readsPodsVethsAndBridge() {
        node(2);
        Topology t = TopologyReader.read(node);
        assertThat(t.bridges()).singleElement().satisfies(b -> {
            assertThat(b.name()).isEqualTo("cni0");
            assertThat(b.addresses()).containsExactly(Cidr.parse("10.244.2.1/24"));
            assertThat(b.ports()).extracting(Topology.Port::name).containsExactlyInAnyOrderElementsOf(hostVeths);
            assertThat(b.ports()).allSatisfy(p -> {
                assertThat(p.pod()).isNotNull();
                assertThat(p.pod().ifname()).isEqualTo("eth0");
            });
            assertThat(b.ports()).extracting(p -> p.pod().netns()).containsExactlyInAnyOrderElementsOf(podNames);
            assertThat(b.ports()).extracting(p -> p.pod().firstAddress())
                    .containsExactlyInAnyOrder("10.244.2.2/24", "10.244.2.3/24");
        });
        String text = TextRenderer.render(t);
        assertThat(text).contains("bridge cni0 10.244.2.1/24").contains(podNames.get(0)).contains("10.244.2.3/24");
        assertThat(DotRenderer.render(t)).startsWith("graph podnet").contains(hostVeths.get(1));
    }

    @Test
    void svgIsWellFormedAndShowsEveryPodAndVethWithTwoAndFiftyPods() throws Exception {
        node(2);
        checkSvg(TopologyReader.read(node), 2);
        namespaces.close();
        namespaces = new TestNetns("topo");
        hostVeths.clear();
        podNames.clear();
        node(50);
        checkSvg(TopologyReader.read(node), 50);
    }

    private void checkSvg(Topology t, int pods) throws Exception {
        String svg = SvgRenderer.render(t);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("svg");
        NodeList groups = doc.getElementsByTagName("g");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < groups.getLength(); i++) {
            ids.add(groups.item(i).getAttributes().getNamedItem("id").getNodeValue());
        }
        for (String pod : podNames) {
            assertThat(ids).contains("pod-" + pod);
        }
        assertThat(ids).contains("bridge-cni0");
        assertThat(doc.getElementsByTagName("polyline").getLength()).as("one line per veth pair").isEqualTo(pods);
        for (String veth : hostVeths) {
            assertThat(svg).contains(veth);
        }
    }

    /** Headless Chromium on a file: a fresh profile, nothing fetched; killed if it hangs. */
    private ChildProcess.Result chromium(String... args) {
        List<String> cmd = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("profile")));
        cmd.addAll(List.of(args));
        ChildProcess.Result r = ChildProcess.run(new ProcessBuilder(cmd), null, Duration.ofSeconds(90));
        assertThat(r.exit()).as("chromium's exit code; stderr: %s", r.stderr()).isZero();
        return r;
    }

    @Test
    void htmlPageOpensInHeadlessChromium() throws Exception {
        Root.assumeProgram("chromium");
        node(2);
        String html = HtmlRenderer.render(TopologyReader.read(node), NodeTables.read(node));
        Path page = dir.resolve("topo.html");
        Files.writeString(page, html);

        // What the browser shows, as its DOM after loading: every pod's box, the bridge, the tables.
        String dom = chromium("--dump-dom", page.toUri().toString()).out();
        for (String pod : podNames) {
            assertThat(dom).contains("id=\"pod-" + pod + "\"");
        }
        assertThat(dom).contains("id=\"bridge-cni0\"", "<table id=\"links\">", "<table id=\"fdb\">",
                "<table id=\"neighbours\">", "10.244.2.1/24");
        for (String veth : hostVeths) {
            assertThat(dom).contains(veth);
        }

        Path shot = dir.resolve("topo.png");
        chromium("--window-size=1200,900", "--screenshot=" + shot, page.toUri().toString());
        byte[] png = Files.readAllBytes(shot);
        assertThat(png.length).isGreaterThan(5_000);
        assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        String keep = System.getProperty("podnet.screenshot");
        if (keep != null) {
            Files.copy(shot, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
