// Junipeer operator console: vanilla JS on /api/console/api (same origin, session cookie + anti-forgery header).
"use strict";
(function () {
  const base = "/api/console/api";
  let csrf = null, csrfHeader = "X-Junipeer-Csrf", current = null, refreshTimer = null;
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c === null || c === undefined ? "" : String(c)));
    return e;
  }

  function notice(text, cls) { const n = $("notice"); n.textContent = text; n.className = cls || ""; }

  async function api(path, method, body) {
    const headers = { "Accept": "application/json" };
    if (method === "POST") { headers["Content-Type"] = "application/json"; if (csrf) headers[csrfHeader] = csrf; }
    const r = await fetch(base + path, { method: method || "GET", headers, credentials: "same-origin", body: body ? JSON.stringify(body) : undefined });
    if (r.status === 401) { location.href = "/api/console"; throw new Error("signed out"); }
    const json = await r.json();
    if (!r.ok) throw new Error((json.code || r.status) + ": " + (json.message || "") + (json.fix ? " — " + json.fix : ""));
    return json;
  }

  const when = (t) => t ? new Date(t).toISOString().replace("T", " ").slice(0, 19) + " UTC" : "never";

  function chart(days) {
    const w = 12, gap = 3, h = 40, max = Math.max(1, ...days.map(d => d.synced + d.failed));
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", days.length * (w + gap)); svg.setAttribute("height", h); svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", days.map(d => `${d.day}: ${d.synced} synced, ${d.failed} failed`).join("; "));
    days.forEach((d, i) => {
      const sh = Math.round(d.synced / max * h), fh = Math.round(d.failed / max * h);
      for (const [cls, y, hh, n] of [["synced", h - sh, sh, d.synced], ["failed", h - sh - fh, fh, d.failed]]) {
        if (!hh) continue;
        const r = document.createElementNS(ns, "rect");
        r.setAttribute("class", cls); r.setAttribute("x", i * (w + gap)); r.setAttribute("y", y); r.setAttribute("width", w); r.setAttribute("height", hh);
        const t = document.createElementNS(ns, "title"); t.textContent = `${d.day}: ${n} ${cls}`; r.append(t); svg.append(r);
      }
    });
    return svg;
  }

  async function loadOverview() {
    const o = await api(`/integrations/${encodeURIComponent(current)}?days=14`);
    const c = $("connections").tBodies[0]; c.replaceChildren();
    const statusClass = { "connected": "ok", "never-connected": "muted", "expired": "bad", "revoked": "bad" };
    if (!o.connections) c.append(el("tr", {}, el("td", { class: "muted", colspan: "5" }, "Connection status is not reported by this deployment.")));
    else if (!o.connections.length) c.append(el("tr", {}, el("td", { class: "muted", colspan: "5" }, "No systems configured.")));
    else for (const s of o.connections) c.append(el("tr", { "data-system": s.system },
      el("td", {}, `${s.system}${s.role ? " (" + s.role + ")" : ""}`), el("td", { class: "status " + (statusClass[s.status] || "bad") }, s.status),
      el("td", {}, s.at ? when(s.at) : ""), el("td", { class: "muted" }, s.signal || ""),
      el("td", { class: "error" }, s.errorCode ? `${s.errorCode}: ${s.message || ""}` : "")));
    const tb = $("flows").tBodies[0]; tb.replaceChildren();
    for (const f of o.flows) {
      const backlog = `${f.queued + f.inProgress} in ledger` + (f.queueLength !== undefined && f.queueLength !== null ? `, ${f.queueLength} on queue` : "") + (f.poisonQueueLength ? `, ${f.poisonQueueLength} poison` : "");
      const last = f.lastSuccessAt ? when(f.lastSuccessAt) : f.syncedUpTo ? "synced up to " + when(f.syncedUpTo) : (f.timer && !f.hasLedgerRows ? "not synced yet" : "never");
      tb.append(el("tr", { "data-flow": f.flow }, el("td", {}, f.label + (f.timer ? ` (timer ${f.timer})` : "")), el("td", { class: "last" }, last), el("td", { class: "backlog" }, f.hasLedgerRows === false ? "—" : backlog),
        el("td", { class: "done" }, f.done), el("td", { class: f.failed ? "bad" : "" }, f.failed), el("td", {}, chart(f.days))));
    }
  }

  async function loadFailed() {
    const r = await api(`/integrations/${encodeURIComponent(current)}/failed`);
    const tb = $("failed").tBodies[0]; tb.replaceChildren();
    $("no-failures").hidden = r.failed.length > 0;
    for (const f of r.failed) {
      const button = f.canRetry ? el("button", { type: "button", class: "retry", onclick: () => retry(f.flow, f.entityKey, button) }, "Retry") : el("span", { class: "muted" }, f.retryNote || "not retryable");
      tb.append(el("tr", { "data-entity": f.entityKey, "data-flow": f.flow }, el("td", {}, f.flow), el("td", { class: "entity" }, f.entityKey),
        el("td", {}, el("code", { class: "code" }, f.code || "")), el("td", { class: "message" }, f.message || ""), el("td", { class: "cause" }, f.cause || ""),
        el("td", { class: "fix" }, f.fix || ""), el("td", {}, button)));
    }
  }

  async function loadEvents() {
    const q = new URLSearchParams();
    if ($("events-reference").value) q.set("reference", $("events-reference").value);
    if ($("events-status").value) q.set("status", $("events-status").value);
    const r = await api(`/integrations/${encodeURIComponent(current)}/events?${q}`);
    const tb = $("events").tBodies[0]; tb.replaceChildren();
    for (const e of r.events) tb.append(el("tr", {}, el("td", {}, when(e.at)), el("td", {}, e.severity), el("td", {}, e.flow), el("td", {}, e.entityKey), el("td", {}, e.errorCode || ""), el("td", {}, e.message)));
  }

  const money = (d) => Number(d || 0).toFixed(2);

  // A shipment's plan: the nShift booking (or the one found by reference) and the Centra shipment with its lines and capture.
  function shipmentPlan(s, reference) {
    const booking = s.carrierServiceId
      ? (s.existingBooking ? `nShift booking ${s.existingBooking} exists (adopted)` : `book nShift ${s.carrierServiceId}, ${s.parcels.length} parcel(s) (${s.parcels.map(p => money(p.weightKg) + " kg").join(", ")}) to ${s.receiver || "?"}, ref ${reference}`)
      : "no carrier booking";
    return `${booking}; Centra shipment on order ${s.orderNumber}: ${s.lines.map(l => l.quantity + " × " + l.sku).join(", ")}` +
      (s.partial ? " (partial)" : "") + (s.trackingNumber ? `, tracking ${s.trackingNumber}` : "") + (s.capture ? ", capture" : "") + (s.writeTrackingBack ? ", tracking written back to Visma.net" : "");
  }

  // What one shadow record would write, in one line (documents, payments, credit notes, customer fields).
  function wouldWrite(x) {
    if (x.outcome === "Failed") return `${x.errorCode}: ${x.message || ""}`;
    if (x.outcome === "Skipped") return x.skipReason || "";
    if (x.outcome === "AlreadyBooked") return x.shipment ? `in Centra already: shipment ${x.existingDocument || ""}` : `in the ERP already: ${x.existingDocument || ""}`;
    if (x.shipment) return shipmentPlan(x.shipment, x.reference);
    if (x.action) return `${x.action} in ${x.target}: ` + (x.changes || []).map(c => `${c.field} ${c.from ?? "—"} → ${c.to ?? "(cleared)"}`).join(", ") + (x.customerClassId ? ` (class ${x.customerClassId})` : "");
    const parts = [];
    if (x.documentType === "customerInvoice") parts.push(`invoice ${x.reference}, ${x.lines.length} line(s), ${x.vatCase}, net ${money(x.netTotal)} VAT ${money(x.vatTotal)} ${x.currency}` +
      (x.customerAction ? `, customer ${x.customerAction === "Create" ? "to be created (" + x.customerClassId + ")" : x.customerNumber}` : ""));
    for (const p of x.payments || []) parts.push(`payment ${p.reference} customer ${p.customerNumber} ${money(p.amount)} ${p.currency} on ${p.lines.map(l => l.invoiceNumber).join(", ")}` +
      (p.writeOff ? `, write-off ${money(p.writeOff)} reason ${p.writeOffReasonCode}` : "") + (p.existingDocument ? ` (exists: ${p.existingDocument})` : ""));
    for (const n of x.creditNotes || []) parts.push(`credit note ${n.reference} ${money(n.amount)} ${n.currency} on invoice ${n.invoiceNumber || "(to be booked)"}` + (n.existingDocument ? ` (exists: ${n.existingDocument})` : ""));
    for (const u of x.unmatched || []) parts.push(`unmatched ${u.transactionId} (${u.reference || "no reference"}) ${u.code || u.note || ""}`);
    return parts.join("; ");
  }

  async function loadShadow() {
    const r = await api(`/integrations/${encodeURIComponent(current)}/shadow`);
    const records = r.flows.reduce((n, f) => n + f.records.length, 0);
    $("shadow-summary").textContent = records === 0
      ? (r.mode === "Shadow" ? "Shadow mode: nothing shadowed yet." : "Live; no shadow records.")
      : `Mode ${r.mode}${r.cutOverDate ? ", cut-over " + when(r.cutOverDate) : ""}: ${r.counts.wouldBook} would book, ${r.counts.alreadyBooked} already booked, ${r.counts.skipped} skipped, ${r.counts.failed} failed.`;
    $("shadow-summary").className = r.failures.length ? "bad" : "muted";
    const ft = $("shadow-failures"); ft.hidden = r.failures.length === 0; ft.tBodies[0].replaceChildren();
    for (const f of r.failures) ft.tBodies[0].append(el("tr", { "data-code": f.code }, el("td", {}, el("code", { class: "code" }, f.code)), el("td", {}, f.count),
      el("td", { class: "entities" }, f.entities.slice(0, 10).join(", ") + (f.entities.length > 10 ? ", …" : "")), el("td", { class: "fix" }, f.fix || "")));
    const host = $("shadow-flows"); host.replaceChildren();
    for (const f of r.flows) {
      const summary = `${f.flow}: ${f.wouldBook} would book, ${f.alreadyBooked} already booked, ${f.skipped} skipped, ${f.failed} failed` +
        (f.payments + f.creditNotes + f.unmatched ? ` — ${f.payments} payment(s), ${f.creditNotes} credit note(s), fees ${money(f.writeOff)}, ${f.unmatched} unmatched` : "") +
        (f.creates + f.updates ? ` — ${f.creates} create(s), ${f.updates} update(s)` : "");
      const tbody = el("tbody");
      for (const x of f.records) tbody.append(el("tr", { "data-entity": x.entityKey, class: x.outcome === "Failed" ? "fail" : "" },
        el("td", {}, x.entityKey), el("td", { class: "outcome" }, x.outcome), el("td", { class: "would" }, wouldWrite(x)), el("td", { class: "fix" }, x.fix || (x.notes || []).join("; "))));
      host.append(el("h3", {}, summary), el("table", { class: "shadow-flow", "data-flow": f.flow },
        el("thead", {}, el("tr", {}, el("th", {}, "entity"), el("th", {}, "outcome"), el("th", {}, "would write"), el("th", {}, "fix / notes"))), tbody));
    }
  }

  async function refresh() {
    if (!current) return;
    try { await Promise.all([loadOverview(), loadFailed(), loadEvents(), loadShadow()]); } catch (err) { notice(err.message, "bad"); }
  }

  async function retry(flow, key, button) {
    button.disabled = true;
    try {
      const r = await api(`/integrations/${encodeURIComponent(current)}/retry`, "POST", { flow, key });
      notice(r.enqueued ? `${flow} ${key}: retry queued…` : `${flow} ${key}: ${r.note}`);
      for (let i = 0; i < 120 && r.enqueued; i++) {
        await new Promise(res => setTimeout(res, 1000));
        const s = await api(`/integrations/${encodeURIComponent(current)}/entity?flow=${encodeURIComponent(flow)}&key=${encodeURIComponent(key)}`);
        if (s.status === "Done") { const docs = Object.entries(s.documents || {}).map(([k, v]) => `${k} ${v}`).join(", "); notice(`${flow} ${key}: Done${docs ? " — " + docs : ""}`, "ok"); break; }
        if (s.status === "Failed" && new Date(s.updatedAt) >= new Date(r.enqueuedAt)) { notice(`${flow} ${key}: failed again — ${s.code}: ${s.message}. ${s.fix || ""}`, "bad"); break; }
      }
    } catch (err) { notice(err.message, "bad"); }
    button.disabled = false;
    await refresh();
  }

  $("preflight-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const button = $("run-preflight"); button.disabled = true;
    $("preflight-summary").textContent = "Running preflight against the live ERP…";
    try {
      const r = await api(`/integrations/${encodeURIComponent(current)}/preflight`, "POST", {});
      const tb = $("preflight").tBodies[0]; tb.replaceChildren();
      for (const c of r.checks) tb.append(el("tr", { class: c.outcome, "data-check": c.check }, el("td", {}, c.check), el("td", { class: "outcome" }, c.outcome),
        el("td", {}, el("code", { class: "code" }, c.code || "")), el("td", { class: "detail" }, c.detail), el("td", { class: "fix" }, c.fix || "")));
      $("preflight").hidden = false;
      $("preflight-summary").textContent = `${r.passed} passed, ${r.failed} failed, ${r.cannotCheck} cannot be checked by the API` + (r.codes.length ? ` (${r.codes.join(", ")})` : "");
      $("preflight-summary").className = r.failed ? "bad" : "ok";
    } catch (err) { $("preflight-summary").textContent = ""; notice(err.message, "bad"); }
    button.disabled = false;
  });
  $("backfill").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const r = await api(`/integrations/${encodeURIComponent(current)}/backfill`, "POST", { flow: $("backfill-flow").value, from: $("backfill-from").value });
      notice(`Backfill ${r.flow}: ${r.seen} changed, ${r.enqueued} queued, ${r.alreadyDone} already done.`, "ok");
    } catch (err) { notice(err.message, "bad"); }
    await refresh();
  });
  $("poison").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const r = await api(`/integrations/${encodeURIComponent(current)}/replay-poison`, "POST", {});
      notice(`Poison replay: ${r.fromPoisonQueues} from poison queues, ${r.fromLedger} exhausted entities queued again.`, "ok");
    } catch (err) { notice(err.message, "bad"); }
    await refresh();
  });
  $("events-filter").addEventListener("submit", (ev) => { ev.preventDefault(); loadEvents().catch(err => notice(err.message, "bad")); });
  $("integration").addEventListener("change", () => {
    current = $("integration").value; $("preflight").hidden = true; $("preflight-summary").textContent = ""; refresh();
  });
  $("signout").addEventListener("click", async () => { try { await api("/../signout", "POST", {}); } catch (e) { /* signed out anyway */ } location.href = "/api/console"; });

  (async function start() {
    const s = await api("/session");
    csrf = s.csrf; csrfHeader = s.csrfHeader; $("user").textContent = s.user;
    const list = await api("/integrations");
    const sel = $("integration");
    for (const i of list.integrations) sel.append(el("option", { value: i.id }, `${i.id} — ${i.name}`));
    const wanted = new URLSearchParams(location.search).get("integration");
    current = wanted && list.integrations.some(i => i.id === wanted) ? wanted : (list.integrations[0] || {}).id;
    if (current) sel.value = current; else notice("No integrations in this storage yet (junipeer integration add).");
    $("backfill-from").value = new Date(Date.now() - 7 * 864e5).toISOString().slice(0, 10);
    await refresh();
    refreshTimer = setInterval(refresh, 5000);
  })().catch(err => notice(err.message, "bad"));
})();
