#!/usr/bin/env python3
"""CNI plugin benchmark: ours (installed executables, a JVM per call) vs the reference Go plugins.

Same config, throwaway namespaces only (a "node" netns per run, one netns per pod). Prints
ADD/CHECK/DEL median and p90 over N sequential pods, and 50 concurrent ADDs then DELs, with ipMasq
on and off, and the ratio ours/reference. Run as root: bench/cni-bench.sh
"""
import json, os, statistics, subprocess, sys, tempfile, time, uuid
from concurrent.futures import ThreadPoolExecutor

REF_BIN = "/usr/lib/cni"
PODS = int(os.environ.get("PODS", "20"))
CONC = int(os.environ.get("CONCURRENT", "50"))
tag = "bn-%x" % (os.getpid() & 0xffff)
created = []


def sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def netns(name):
    full = f"{tag}-{name}"
    sh("ip", "netns", "add", full)
    created.append(full)
    return full


def plugin(bindir, node, cmd, cid, pod, conf):
    env = dict(os.environ, CNI_COMMAND=cmd, CNI_CONTAINERID=cid, CNI_NETNS=f"/run/netns/{pod}" if pod else "",
               CNI_IFNAME="eth0", CNI_PATH=bindir + ":" + REF_BIN)
    t0 = time.perf_counter()
    p = subprocess.run(["nsenter", f"--net=/run/netns/{node}", f"{bindir}/bridge"], input=conf.encode(),
                       env=env, capture_output=True)
    dt = (time.perf_counter() - t0) * 1000
    if p.returncode != 0:
        raise RuntimeError(f"{bindir}/bridge {cmd} {cid}: {p.stdout.decode()} {p.stderr.decode()}")
    return dt, p.stdout.decode()


def config(data, masq, version="1.0.0"):
    return json.dumps({"cniVersion": version, "name": "bench", "type": "bridge", "bridge": "cni0",
                       "isGateway": True, "ipMasq": masq, "hairpinMode": True,
                       "ipam": {"type": "host-local", "dataDir": data, "ranges": [[{"subnet": "10.244.2.0/24"}]]}})


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def run(label, bindir, masq):
    data = tempfile.mkdtemp(prefix="cni-bench-")
    node = netns(f"{label}-{int(masq)}-node")
    conf = config(data, masq)
    add, chk, dele = [], [], []
    pods = [netns(f"{label}-{int(masq)}-p{i}") for i in range(PODS)]
    for i, pod in enumerate(pods):
        dt, out = plugin(bindir, node, "ADD", f"seq{i}", pod, conf)
        add.append(dt)
        c = json.loads(conf)
        c["prevResult"] = json.loads(out)
        dt, _ = plugin(bindir, node, "CHECK", f"seq{i}", pod, json.dumps(c))
        chk.append(dt)
    for i, pod in enumerate(pods):
        dt, _ = plugin(bindir, node, "DEL", f"seq{i}", pod, conf)
        dele.append(dt)
    cpods = [netns(f"{label}-{int(masq)}-c{i}") for i in range(CONC)]
    with ThreadPoolExecutor(CONC) as ex:
        t0 = time.perf_counter()
        list(ex.map(lambda ip: plugin(bindir, node, "ADD", f"c{ip[0]}", ip[1], conf), enumerate(cpods)))
        cadd = time.perf_counter() - t0
        t0 = time.perf_counter()
        list(ex.map(lambda ip: plugin(bindir, node, "DEL", f"c{ip[0]}", ip[1], conf), enumerate(cpods)))
        cdel = time.perf_counter() - t0
    leftover = [f for f in os.listdir(os.path.join(data, "bench")) if f[0].isdigit()]
    assert not leftover, f"{label}: leases left: {leftover}"
    for n in [node] + pods + cpods:
        sh("ip", "netns", "del", n)
        created.remove(n)
    return {"add": add, "check": chk, "del": dele, "cadd": cadd, "cdel": cdel}


def main():
    if os.geteuid() != 0:
        sys.exit("run as root")
    ours = sys.argv[1]
    rows = []
    try:
        for masq in (False, True):
            ref = run("ref", REF_BIN, masq)
            our = run("our", ours, masq)
            for op in ("add", "check", "del"):
                r, o = statistics.median(ref[op]), statistics.median(our[op])
                rows.append((f"ipMasq {'on' if masq else 'off'}", op.upper(), r, pct(ref[op], 90), o, pct(our[op], 90), o / r))
            for op, name in (("cadd", f"{CONC} concurrent ADD"), ("cdel", f"{CONC} concurrent DEL")):
                rows.append((f"ipMasq {'on' if masq else 'off'}", name, ref[op] * 1000, None, our[op] * 1000, None, our[op] / ref[op]))
    finally:
        for n in list(created):
            subprocess.run(["ip", "netns", "del", n], stderr=subprocess.DEVNULL)
    print(f"{'':12} {'op':20} {'ref med':>9} {'ref p90':>9} {'ours med':>9} {'ours p90':>9} {'ours/ref':>9}   (ms; {PODS} sequential pods)")
    for m, op, rm, rp, om, op90, ratio in rows:
        f = lambda v: f"{v:9.1f}" if v is not None else f"{'':>9}"
        print(f"{m:12} {op:20} {f(rm)} {f(rp)} {f(om)} {f(op90)} {ratio:9.2f}")


if __name__ == "__main__":
    main()
