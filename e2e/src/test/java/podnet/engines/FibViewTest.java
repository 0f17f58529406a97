package podnet.engines;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FibViewTest {
    static final String POD = """
            Main:
              +-- 0.0.0.0/0 3 0 5
                 |-- 0.0.0.0
                    /0 universe UNICAST
                 +-- 10.244.2.0/24 2 0 2
                    |-- 10.244.2.0
                       /24 link UNICAST
                    |-- 10.244.2.7
                       /32 host LOCAL
                 +-- 127.0.0.0/8 2 0 2
                    |-- 127.0.0.1
                       /32 host LOCAL
            Local:
              +-- 0.0.0.0/0 3 0 5
                 |-- 10.244.2.7
                    /32 host LOCAL
                 |-- 10.244.2.255
                    /32 link BROADCAST
            """;

    @Test
    void readsUpAddressesAndTheDefaultRoute() {
        FibView v = FibView.parse(POD);
        assertThat(v.localAddresses()).containsExactlyInAnyOrder("10.244.2.7", "127.0.0.1");
        assertThat(v.defaultRoute()).isTrue();
    }

    @Test
    void aFreshNetnsShowsNothing() {
        FibView v = FibView.parse("");
        assertThat(v.localAddresses()).isEmpty();
        assertThat(v.defaultRoute()).isFalse();
    }

    @Test
    void aBroadcastOrSubnetRouteIsNoLocalAddress() {
        FibView v = FibView.parse("""
                Main:
                  +-- 10.244.2.0/24 2 0 2
                     |-- 10.244.2.0
                        /24 link UNICAST
                     |-- 10.244.2.255
                        /32 link BROADCAST
                """);
        assertThat(v.localAddresses()).isEmpty();
        assertThat(v.defaultRoute()).isFalse();
    }

    @Test
    void readsThisProcess() {
        assertThat(FibView.of(ProcessHandle.current().pid())).isPresent();
        assertThat(FibView.of(Long.MAX_VALUE)).isEmpty();
    }
}
