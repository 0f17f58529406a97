// The kernel's own floor for a pod's wiring (docs/performance.md, churn): what any bridge plugin
// must have the kernel do per pod, from ONE process with nothing else around it, so its CPU is
// the kernel's work plus a few system calls. Per pod, as podnetd does it:
//   ADD: one RTM_NEWLINK making the veth (host end up and a port of the bridge, the peer born in
//        the pod's netns as eth0), [sysctls], then inside the pod (setns) one datagram with the
//        address, link up and the default route;
//   DEL: one RTM_DELLINK of the host end (the peer goes with it).
// [sysctls] with "sysctl" as 4th argument: the reference's writes through /proc/sys (accept_ra 0
// on the host end; accept_dad 0 and arp_notify 1 in the pod), to see what they cost.
// Namespaces: the process unshares its own node netns and makes one anonymous netns per pod,
// held only by its descriptors: they all go when the process exits, however it exits.
//   kernel-floor N C [sysctl]     N pods, C threads at a time; prints CPU per pod (getrusage).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

unsigned int if_nametoindex(const char *ifname); // <net/if.h>, which clashes with <linux/if.h>

static int npods, nthreads, with_sysctl, node_fd, bridge_index;
static int *pod_fd;

static void die(const char *what) { perror(what); exit(1); }

struct req { char buf[4096]; int len; };

static struct nlmsghdr *msg_begin(struct req *r, int type, int flags) {
  struct nlmsghdr *h = (struct nlmsghdr *)(r->buf + r->len);
  memset(h, 0, sizeof *h);
  h->nlmsg_type = type;
  h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  h->nlmsg_len = NLMSG_HDRLEN;
  return h;
}
static void *put(struct nlmsghdr *h, const void *data, int len) {
  void *p = (char *)h + NLMSG_ALIGN(h->nlmsg_len);
  memcpy(p, data, len);
  h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + len;
  return p;
}
static struct rtattr *attr(struct nlmsghdr *h, int type, const void *data, int len) {
  struct rtattr *a = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));
  a->rta_type = type;
  a->rta_len = RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), data, len);
  h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
  return a;
}
static void nest_end(struct nlmsghdr *h, struct rtattr *a) { a->rta_len = (char *)h + h->nlmsg_len - (char *)a; }
static void msg_end(struct req *r, struct nlmsghdr *h) { r->len += NLMSG_ALIGN(h->nlmsg_len); }

// Sends every message of r in one datagram and reads one ACK per message; fails on any error.
static void transact(int sock, struct req *r, int count, const char *what) {
  if (send(sock, r->buf, r->len, 0) != r->len) die(what);
  char buf[8192];
  while (count > 0) {
    int n = recv(sock, buf, sizeof buf, 0);
    if (n < 0) die(what);
    for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_type != NLMSG_ERROR) continue;
      int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
      if (err) { errno = -err; die(what); }
      count--;
    }
  }
}

static int nl_socket(void) {
  int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (s < 0) die("socket");
  return s;
}

static void sysctl_write(const char *path, const char *value) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, value, strlen(value)) < 0) die(path);
  close(fd);
}

static void add_pod(int node_sock, int i) {
  char host[IFNAMSIZ];
  snprintf(host, sizeof host, "vethf%06d", i);
  struct req r = {.len = 0};
  struct nlmsghdr *h = msg_begin(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  struct ifinfomsg ifi = {.ifi_flags = IFF_UP, .ifi_change = IFF_UP};
  put(h, &ifi, sizeof ifi);
  attr(h, IFLA_IFNAME, host, strlen(host) + 1);
  attr(h, IFLA_MASTER, &bridge_index, 4);
  struct rtattr *info = attr(h, IFLA_LINKINFO, NULL, 0);
  attr(h, IFLA_INFO_KIND, "veth", 5);
  struct rtattr *data = attr(h, IFLA_INFO_DATA, NULL, 0);
  struct rtattr *peer = attr(h, VETH_INFO_PEER, NULL, 0);
  struct ifinfomsg pifi = {.ifi_index = 2}; // eth0 is #2 in its fresh netns, after lo
  put(h, &pifi, sizeof pifi);
  attr(h, IFLA_IFNAME, "eth0", 5);
  attr(h, IFLA_NET_NS_FD, &pod_fd[i], 4);
  nest_end(h, peer);
  nest_end(h, data);
  nest_end(h, info);
  msg_end(&r, h);
  transact(node_sock, &r, 1, "add veth");
  if (with_sysctl) {
    char p[128];
    snprintf(p, sizeof p, "/proc/sys/net/ipv6/conf/%s/accept_ra", host);
    sysctl_write(p, "0");
  }

  if (setns(pod_fd[i], CLONE_NEWNET)) die("setns pod");
  int s = nl_socket();
  if (with_sysctl) {
    sysctl_write("/proc/sys/net/ipv6/conf/eth0/accept_dad", "0");
    sysctl_write("/proc/sys/net/ipv4/conf/eth0/arp_notify", "1");
  }
  r.len = 0;
  uint32_t addr = htonl(0x0a000000 | (1 << 16) | (i + 2)), gw = htonl(0x0a010001);
  h = msg_begin(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = 16, .ifa_index = 2};
  put(h, &ifa, sizeof ifa);
  attr(h, IFA_LOCAL, &addr, 4);
  attr(h, IFA_ADDRESS, &addr, 4);
  msg_end(&r, h);
  h = msg_begin(&r, RTM_NEWLINK, 0);
  struct ifinfomsg up = {.ifi_index = 2, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
  put(h, &up, sizeof up);
  msg_end(&r, h);
  h = msg_begin(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  struct rtmsg rt = {.rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
                     .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST};
  put(h, &rt, sizeof rt);
  attr(h, RTA_GATEWAY, &gw, 4);
  int oif = 2;
  attr(h, RTA_OIF, &oif, 4);
  msg_end(&r, h);
  transact(s, &r, 3, "pod address, up, route");
  close(s);
  if (setns(node_fd, CLONE_NEWNET)) die("setns node");
}

static void del_pod(int node_sock, int i) {
  char host[IFNAMSIZ];
  snprintf(host, sizeof host, "vethf%06d", i);
  struct req r = {.len = 0};
  struct nlmsghdr *h = msg_begin(&r, RTM_DELLINK, 0);
  struct ifinfomsg ifi = {0};
  put(h, &ifi, sizeof ifi);
  attr(h, IFLA_IFNAME, host, strlen(host) + 1);
  msg_end(&r, h);
  transact(node_sock, &r, 1, "delete veth");
}

static int phase; // 0 add, 1 del
static void *worker(void *arg) {
  long t = (long)arg;
  if (setns(node_fd, CLONE_NEWNET)) die("setns node (thread)");
  int s = nl_socket();
  for (int i = t; i < npods; i += nthreads) {
    if (phase == 0) add_pod(s, i); else del_pod(s, i);
  }
  close(s);
  return NULL;
}

static double tv(struct timeval t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; }
static double now_ms(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e3 + t.tv_nsec / 1e6; }

static void run_phase(int p, const char *name) {
  struct rusage a, b;
  phase = p;
  pthread_t th[256];
  getrusage(RUSAGE_SELF, &a);
  double w0 = now_ms();
  for (long t = 0; t < nthreads; t++) if (pthread_create(&th[t], NULL, worker, (void *)t)) die("pthread_create");
  for (int t = 0; t < nthreads; t++) pthread_join(th[t], NULL);
  double w1 = now_ms();
  getrusage(RUSAGE_SELF, &b);
  double u = tv(b.ru_utime) - tv(a.ru_utime), s = tv(b.ru_stime) - tv(a.ru_stime);
  printf("%-4s %5d pods, %2d at a time%s: user %.3f ms + system %.3f ms = %.3f ms of CPU per pod; wall %.0f ms (%.0f pods/s)\n",
         name, npods, nthreads, with_sysctl ? ", with the sysctl writes" : "", u / npods, s / npods, (u + s) / npods,
         w1 - w0, npods * 1e3 / (w1 - w0));
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s N C [sysctl]\n", argv[0]); return 2; }
  npods = atoi(argv[1]); nthreads = atoi(argv[2]); with_sysctl = argc > 3 && !strcmp(argv[3], "sysctl");
  if (npods < 1 || npods > 60000 || nthreads < 1 || nthreads > 256) { fprintf(stderr, "N 1-60000, C 1-256\n"); return 2; }
  if (unshare(CLONE_NEWNET)) die("unshare node netns");
  node_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (node_fd < 0) die("node netns");
  pod_fd = calloc(npods, sizeof *pod_fd);
  for (int i = 0; i < npods; i++) { // untimed, as the runtime makes the pod's netns before ADD
    if (unshare(CLONE_NEWNET)) die("unshare pod netns");
    pod_fd[i] = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (pod_fd[i] < 0) die("pod netns");
    int lo = nl_socket(); // lo up, as a runtime leaves a pod
    struct req r = {.len = 0};
    struct nlmsghdr *h = msg_begin(&r, RTM_NEWLINK, 0);
    struct ifinfomsg ifi = {.ifi_index = 1, .ifi_flags = IFF_UP, .ifi_change = IFF_UP};
    put(h, &ifi, sizeof ifi);
    msg_end(&r, h);
    transact(lo, &r, 1, "lo up");
    close(lo);
    if (setns(node_fd, CLONE_NEWNET)) die("setns node");
  }
  int s = nl_socket(); // the bridge, up
  struct req r = {.len = 0};
  struct nlmsghdr *h = msg_begin(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  struct ifinfomsg ifi = {.ifi_flags = IFF_UP, .ifi_change = IFF_UP};
  put(h, &ifi, sizeof ifi);
  attr(h, IFLA_IFNAME, "cni0", 5);
  struct rtattr *info = attr(h, IFLA_LINKINFO, NULL, 0);
  attr(h, IFLA_INFO_KIND, "bridge", 7);
  nest_end(h, info);
  msg_end(&r, h);
  transact(s, &r, 1, "add bridge");
  close(s);
  bridge_index = if_nametoindex("cni0");
  if (!bridge_index) die("bridge index");
  run_phase(0, "ADD");
  run_phase(1, "DEL");
  return 0; // the namespaces go with the process
}
