// podnet ui: draws the node from pushed topology events and keeps a live flow table.
"use strict";
const NS = "http://www.w3.org/2000/svg";
const flows = new Map();        // id -> flow
let topology = null;

function el(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function box(svg, cls, id, x, y, w, h, lines, dev) {
  const g = el("g", {class: cls, id: id});
  if (dev) g.dataset.dev = dev;
  g.appendChild(el("rect", {x, y, width: w, height: h, rx: 5}));
  lines.forEach((t, i) => g.appendChild(el("text", {x: x + 6, y: y + 15 + i * 14}, t)));
  svg.appendChild(g);
  return g;
}

function draw() {
  const svg = document.getElementById("topology");
  svg.replaceChildren();
  if (!topology) return;
  document.getElementById("node").textContent = "node " + topology.node;
  const ports = topology.bridges.flatMap(b => b.ports.map(p => ({bridge: b, port: p})));
  const width = Math.max(600, 30 + ports.length * 170); // leaves the pod panel room
  svg.setAttribute("width", width);
  ports.forEach(({port}, i) => {
    const x = 20 + i * 170;
    if (port.pod) {
      const g = box(svg, "pod" + (port.pod.up ? "" : " down"), "pod-" + port.pod.netns, x, 10, 150, 62,
          [port.pod.name, port.pod.ifname + " " + (port.pod.addresses[0] || "no address"), "netns " + port.pod.netns.slice(0, 18)],
          port.pod.ifname + "@" + port.pod.netns);
      g.dataset.netns = port.pod.netns;
      g.addEventListener("click", () => showPod(port.pod.netns));
      svg.appendChild(el("line", {class: "wire", x1: x + 75, y1: 72, x2: x + 75, y2: 120}));
    }
    box(svg, "port" + (port.up ? "" : " down"), "port-" + port.name, x + 15, 120, 120, 40,
        [port.name, (port.stp || "") + (port.hairpin ? " hairpin" : "")], port.name);
  });
  topology.bridges.forEach((b, i) => {
    box(svg, "bridge" + (b.up ? "" : " down"), "bridge-" + b.name, 20, 180 + i * 50, width - 40, 40,
        [b.name + "  " + b.addresses.join(" ") + "  (bridge)"], b.name);
  });
  const y = 190 + topology.bridges.length * 50;
  // A VTEP is drawn once, as its tunnel box below (a drop on it is marked there).
  const vteps = new Set((topology.tunnels || []).map(t => t.device));
  topology.uplinks.filter(u => !vteps.has(u.name)).forEach((u, i) => {
    box(svg, "uplink" + (u.up ? "" : " down"), "uplink-" + u.name, 20 + i * 200, y, 180, 40,
        [u.name + " (" + u.kind + ")", u.addresses.join(" ")], u.name);
  });
  const ty = drawTunnels(svg, y + 60, width);
  svg.setAttribute("height", ty);
  markDrops();
}

// The VTEPs (flannel.1) and their peers: the FDB entry (MAC -> underlay IP), the permanent
// neighbour (gateway .0 -> MAC) and the onlink route; a peer missing one is drawn red.
function drawTunnels(svg, y, width) {
  (topology.tunnels || []).forEach(t => {
    box(svg, "tunnel" + (t.up ? "" : " down"), "tunnel-" + t.device, 20, y, 250, 58,
        [t.device + " (VXLAN, VNI " + t.vni + ", UDP " + t.port + ")", "VTEP " + t.mac,
         "local " + (t.local || "?") + "  " + t.addresses.join(" ")], t.device);
    const perRow = Math.max(1, Math.floor((width - 330) / 230));
    t.peers.forEach((p, i) => {
      const px = 310 + (i % perRow) * 230, py = y + Math.floor(i / perRow) * 68;
      const lines = [(p.subnet || "no route") + " via " + (p.gateway || "?"),
                     "to " + (p.underlay || "?") + " (UDP " + t.port + ")", "VTEP " + (p.vtepMac || "?")];
      if (p.missing.length) lines[2] = "missing: " + p.missing.join(", ");
      svg.appendChild(el("line", {class: "tunnelwire", x1: 270, y1: y + 29, x2: px, y2: py + 29}));
      const g = box(svg, "peer" + (p.missing.length ? " missing" : ""), "peer-" + t.device + "-" + (p.vtepMac || p.gateway),
          px, py, 210, 58, lines);
      g.dataset.subnet = p.subnet || "";
    });
    y += Math.max(1, Math.ceil(t.peers.length / perRow)) * 68 + 10;
  });
  return y + 10;
}

function markDrops() {
  const svg = document.getElementById("topology");
  svg.querySelectorAll(".dropnote").forEach(n => n.remove());
  svg.querySelectorAll(".drop").forEach(n => n.classList.remove("drop"));
  const bridge = svg.querySelector("g.bridge"), byPolicy = new Set();
  for (const f of flows.values()) {
    if (f.verdict !== "DROPPED" || !f.drop) continue;
    if (f.drop.policies && bridge) { // the policy table runs in the bridge's forward hook: that is the hop
      bridge.classList.add("drop");
      byPolicy.add(byPolicies(f.drop));
      continue;
    }
    const g = [...svg.querySelectorAll("g")].find(n => n.dataset.dev === f.drop.lastSeenOn);
    if (!g) continue;
    g.classList.add("drop");
    const r = g.querySelector("rect");
    const note = el("text", {class: "dropnote", x: +r.getAttribute("x"), y: +r.getAttribute("y") + +r.getAttribute("height") + 13},
        "✖ " + (f.drop.policies ? byPolicies(f.drop) : f.drop.reason));
    note.dataset.flow = f.id;
    svg.appendChild(note);
  }
  if (byPolicy.size) {
    const r = bridge.querySelector("rect");
    svg.appendChild(el("text", {class: "dropnote", x: +r.getAttribute("x") + 8, y: +r.getAttribute("y") + 32},
        "✖ dropped " + [...byPolicy].join("; ")));
  }
}

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
}

function end(e, ports) {
  const a = ports ? (e.ip.includes(":") ? "[" + e.ip + "]" : e.ip) + ":" + e.port : e.ip;
  return e.pod ? a + " (" + e.pod + ")" : a;
}

/** "by policy x/deny-all (ingress)": the policies isolating the side whose isolation dropped it. */
function byPolicies(d) {
  const names = d.policies.length ? d.policies.join(", ") : "(unnamed)";
  return "by " + (d.policies.length === 1 ? "policy " : "policies ") + names + " (" + d.direction + ")";
}

function verdictText(f) {
  if (f.verdict === "DROPPED" && f.drop.policies) {
    return "DROPPED " + byPolicies(f.drop).replace(/\)$/, "") + (f.drop.reason ? ", " + f.drop.reason + " in " + f.drop.function : "")
        + (f.drop.lastSeenOn ? ", after " + f.drop.lastSeenOn : "") + ")";
  }
  if (f.verdict === "DROPPED") return "DROPPED (" + f.drop.reason + " in " + f.drop.function + ", after " + f.drop.lastSeenOn + ")";
  if (f.verdict === "ERROR") return "ERROR (" + f.error + ")";
  return f.verdict;
}

function renderFlows() {
  const body = document.querySelector("#flows tbody");
  body.replaceChildren();
  const all = [...flows.values()].filter(f => !f.protocol.startsWith("icmp6"))
      .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen)).slice(0, 200);
  for (const f of all) {
    const tr = document.createElement("tr");
    tr.className = "flow verdict-" + f.verdict;
    tr.dataset.id = f.id;
    const ports = f.protocol === "tcp" || f.protocol === "udp";
    cell(tr, f.lastSeen.slice(11, 23));
    cell(tr, f.protocol);
    cell(tr, end(f.source, ports));
    cell(tr, end(f.destination, ports));
    cell(tr, f.sent.packets + " pkts " + f.sent.bytes + " B");
    cell(tr, f.replied.packets + " pkts " + f.replied.bytes + " B");
    cell(tr, f.sent.tcpFlags || f.replied.tcpFlags ? f.sent.tcpFlags + " / " + f.replied.tcpFlags : "");
    cell(tr, verdictText(f), "verdict");
    body.appendChild(tr);
  }
  markDrops();
}

function table(title, rows, cols) {
  let h = "<h4>" + title + "</h4><table><tr>" + cols.map(c => "<th>" + c + "</th>").join("") + "</tr>";
  for (const r of rows) h += "<tr>" + cols.map(c => "<td>" + String(r[c] ?? "").replace(/</g, "&lt;") + "</td>").join("") + "</tr>";
  return h + "</table>";
}

async function showPod(netns) {
  const d = document.getElementById("details");
  const r = await fetch("/api/pod?netns=" + encodeURIComponent(netns));
  if (!r.ok) { d.textContent = "pod " + netns + " is gone"; return; }
  const p = await r.json();
  d.innerHTML = "<h3 id='pod-title'>" + p.name + "</h3>"
      + table("addresses", p.addresses, ["dev", "address"])
      + table("routes", p.routes, ["destination", "via", "dev"])
      + table("ARP / ND table", p.neighbours, ["address", "mac", "dev", "state"])
      + table("recent flows", p.flows.map(f => ({proto: f.protocol, from: f.source.ip, to: f.destination.ip, verdict: f.verdict})),
          ["proto", "from", "to", "verdict"]);
}

const events = new EventSource("/api/events");
events.addEventListener("open", () => document.getElementById("status").textContent = "live");
events.addEventListener("error", () => document.getElementById("status").textContent = "reconnecting…");
events.addEventListener("topology", e => { topology = JSON.parse(e.data); draw(); });
events.addEventListener("flows", e => { for (const f of JSON.parse(e.data)) flows.set(f.id, f); renderFlows(); });
