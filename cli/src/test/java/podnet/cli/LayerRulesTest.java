package podnet.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.core.importer.Locations;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.LocationProvider;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The layers, enforced: {@code linux} (kernel access; all FFM) → {@code cni} → {@code node} →
 * {@code cli}, with a {@code cri} module beside cni under node. cli's test tree sees every
 * module's main classes, so the rules live here; a wrong import fails {@code mvn -pl cli test}.
 *
 * <p>Internal to linux: {@code podnet.linux.netlink.nl} (the netlink message layer) and
 * {@code podnet.linux.sys.ffm} (downcalls, raw sockets, mmap, poll). The rest of linux is its API.
 *
 * <p>One rule per field, so a report names the broken rule. Until branch arch-cni is merged, two
 * fail on purpose: {@link #outsideLinuxNothingUsesTheNetlinkMessageLayer} (cni's SpoofCheck builds
 * nf_tables messages itself) and {@link #cniHasNoPackageCycles} (podnet.cni ↔ podnet.cni.bridge).
 */
@AnalyzeClasses(locations = LayerRulesTest.PodnetMainClasses.class, importOptions = LayerRulesTest.MainClassesOnly.class)
class LayerRulesTest {
    private static final String LINUX = "podnet.linux..", CNI = "podnet.cni..", CRI = "podnet.cri..",
            NODE = "podnet.node..", CLI = "podnet.cli..";
    private static final String NETLINK_MESSAGES = "podnet.linux.netlink.nl..", FFM_INTERNALS = "podnet.linux.sys.ffm..";

    /** podnet classes outside the given packages. */
    private static DescribedPredicate<JavaClass> podnetOutside(String... allowed) {
        return resideInAPackage("podnet..").and(not(resideInAnyPackage(allowed)));
    }

    @ArchTest
    static final ArchRule linuxDependsOnNoOtherModule = noClasses().that().resideInAPackage(LINUX)
            .should().dependOnClassesThat(podnetOutside(LINUX));

    @ArchTest
    static final ArchRule cniDependsOnNeitherNodeNorCli = noClasses().that().resideInAPackage(CNI)
            .should().dependOnClassesThat().resideInAnyPackage(NODE, CLI);

    @ArchTest
    static final ArchRule nodeDoesNotDependOnCli = noClasses().that().resideInAPackage(NODE)
            .should().dependOnClassesThat().resideInAPackage(CLI);

    /** cri (the CRI client) sits under node: it may use linux, no other module. Empty until it exists. */
    @ArchTest
    static final ArchRule criDependsOnNoModuleButLinux = noClasses().that().resideInAPackage(CRI)
            .should().dependOnClassesThat(podnetOutside(CRI, LINUX)).allowEmptyShould(true);

    @ArchTest
    static final ArchRule foreignMemoryOnlyInLinux = noClasses().that().resideOutsideOfPackage(LINUX)
            .should().dependOnClassesThat().resideInAPackage("java.lang.foreign..");

    /** Fails until arch-cni merges: cni's SpoofCheck still uses NetlinkSocket and NlRequest. */
    @ArchTest
    static final ArchRule outsideLinuxNothingUsesTheNetlinkMessageLayer = noClasses().that().resideOutsideOfPackage(LINUX)
            .should().dependOnClassesThat().resideInAPackage(NETLINK_MESSAGES);

    @ArchTest
    static final ArchRule outsideLinuxNothingUsesTheFfmInternals = noClasses().that().resideOutsideOfPackage(LINUX)
            .should().dependOnClassesThat().resideInAPackage(FFM_INTERNALS);

    @ArchTest
    static final ArchRule linuxHasNoPackageCycles = noCyclesIn("linux");

    /** Fails until arch-cni merges: podnet.cni (PluginRunner, ...) and podnet.cni.bridge use each other. */
    @ArchTest
    static final ArchRule cniHasNoPackageCycles = noCyclesIn("cni");

    @ArchTest
    static final ArchRule nodeHasNoPackageCycles = noCyclesIn("node");

    @ArchTest
    static final ArchRule criHasNoPackageCycles = noCyclesIn("cri").allowEmptyShould(true);

    @ArchTest
    static final ArchRule cliHasNoPackageCycles = noCyclesIn("cli");

    /** cli/src/main is the podnet command and nothing else. */
    @ArchTest
    static final ArchRule cliMainHoldsOnlyTheCommand = classes().that(comeFrom(PodnetMainClasses.cliMain()))
            .should().resideInAPackage(CLI);

    /**
     * A module's top-level packages are the units that must not use each other in a circle; a
     * package's own sub-packages (netlink.nl, sys.ffm, packet.decode) belong to it, and the
     * module's root package (podnet.cni) is a unit of its own.
     */
    private static ArchRule noCyclesIn(String module) {
        return slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass c) {
                String[] p = c.getPackageName().split("\\.");
                if (p.length < 2 || !p[0].equals("podnet") || !p[1].equals(module)) {
                    return SliceIdentifier.ignore();
                }
                return SliceIdentifier.of(module + "." + (p.length > 2 ? p[2] : "(root)"));
            }

            @Override
            public String getDescription() {
                return "the top-level packages of module " + module;
            }
        }).should().beFreeOfCycles();
    }

    /** Classes whose class file lies under the directory {@code dir} (jar entries never do). */
    private static DescribedPredicate<JavaClass> comeFrom(String dir) {
        return DescribedPredicate.describe("come from " + dir, c -> c.getSource()
                .map(s -> s.getUri().getPath() != null && s.getUri().getPath().startsWith(dir)).orElse(false));
    }

    /** Every podnet class on the class path, plus whatever else cli/src/main compiled to. */
    static final class PodnetMainClasses implements LocationProvider {
        /** cli's compiled main classes: a directory (target/classes/) whenever cli's tests run. */
        static String cliMain() {
            try {
                return Main.class.getProtectionDomain().getCodeSource().getLocation().toURI().getPath();
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public Set<Location> get(Class<?> testClass) {
            Set<Location> all = new HashSet<>(Locations.ofPackage("podnet"));
            all.add(Location.of(Path.of(cliMain())));
            return all;
        }
    }

    /** Main code only: no test classes, neither this module's nor the test-jars (podnet.linux.testing). */
    static final class MainClassesOnly implements ImportOption {
        @Override
        public boolean includes(Location location) {
            return !location.contains("/test-classes/") && !location.contains("-tests.jar");
        }
    }
}
