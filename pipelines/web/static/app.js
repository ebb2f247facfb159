/* facetcoder paste-and-code page. Plain JS, no dependencies.
 *
 * Safety: note text only ever reaches the DOM through text nodes / textContent
 * (never innerHTML), so a note containing markup is shown, not run.
 */
(function () {
  "use strict";

  // Fact types, in highlight priority order (first wins when spans overlap).
  var FACT_TYPES = [
    ["procedure", "Procedure"], ["levels", "Levels"], ["imaging", "Imaging"], ["intent", "Intent"],
    ["diagnosis", "Diagnosis"], ["pain", "Pain / relief"], ["care", "Conservative care"],
    ["agents", "Agents"], ["sedation", "Sedation"]
  ];
  var SEVERITIES = [["error", "Errors"], ["warning", "Warnings"], ["info", "Info"]];
  var TOKEN_KEY = "facetcoder.token";

  var $ = function (id) { return document.getElementById(id); };
  var state = { health: null, text: "", result: null, claimText: "", segments: [], linked: [], busy: false };

  /** Create an element; `children` are nodes or strings (strings become text nodes). */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "class") node.className = attrs[key];
      else if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function setStatus(message) { $("status").textContent = message; }

  function showError(message) {
    var box = $("error");
    box.textContent = message;
    box.hidden = !message;
  }

  function formatBytes(n) { return n >= 1000 ? Math.round(n / 1000) + " KB" : n + " bytes"; }

  /* ---------- server: health, token, requests ---------- */

  function token() { return $("token").value.trim(); }

  function headers() {
    var h = { "Content-Type": "application/json", "Accept": "application/json" };
    if (token()) h["Authorization"] = "Bearer " + token();
    return h;
  }

  function showTokenField(focus) {
    $("token-field").hidden = false;
    if (focus) $("token").focus();
  }

  function loadHealth() {
    return fetch("/api/health", { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (health) {
        state.health = health;
        var select = $("payer");
        clear(select);
        health.profiles.forEach(function (name) {
          var option = el("option", { value: name, text: name });
          if (name === health.default_payer) option.selected = true;
          select.appendChild(option);
        });
        $("limit").textContent = formatBytes(health.limits.max_note_bytes);
        if (health.token_required) showTokenField(false);
        $("server-status").textContent = health.pipeline_loaded
          ? "Server ready · v" + health.version + (health.models_applied ? "" : " · rules only")
          : "Server is loading the pipeline…";
      })
      .catch(function () {
        $("server-status").textContent = "Server not reachable";
      });
  }

  /** Readable message for an API error body `{error, detail}` and HTTP status. */
  function errorMessage(status, body) {
    var detail = body && body.detail ? body.detail : "HTTP " + status;
    var prefix = {
      401: "API token needed: ", 403: "API token rejected: ", 413: "Too large: ",
      422: "Cannot analyse this note: ", 500: "Server error: ", 503: "Server busy: "
    }[status] || "Request failed: ";
    return prefix + detail;
  }

  function analyze() {
    if (state.busy) return;
    var text = $("note").value;
    showError("");
    if (!text.trim()) {
      showError("The note is empty: paste a procedure note first.");
      $("note").focus();
      return;
    }
    var limit = state.health ? state.health.limits.max_note_bytes : null;
    var size = new TextEncoder().encode(text).length;
    if (limit && size > limit) {
      showError("Too large: the note is " + formatBytes(size) + "; the limit is " + formatBytes(limit) + ".");
      return;
    }
    if (state.health && state.health.token_required && !token()) {
      showError("This server requires an API token: enter it next to the Analyze button.");
      showTokenField(true);
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token());
    setBusy(true);
    fetch("/api/analyze/page", {
      method: "POST",
      headers: headers(),
      body: JSON.stringify({ text: text, note_id: "pasted-note", payer: $("payer").value })
    })
      .then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          if (!response.ok) {
            if (response.status === 401 || response.status === 403) showTokenField(true);
            throw new Error(errorMessage(response.status, body));
          }
          return body;
        });
      })
      .then(function (page) {
        state.text = text;
        render(page.result, page.claim_text, text);
      })
      .catch(function (err) {
        var message = err instanceof TypeError ? "Could not reach the server: is facetcoder serve running?" : err.message;
        showError(message);
        setStatus("");
      })
      .then(function () { setBusy(false); });
  }

  function setBusy(busy) {
    state.busy = busy;
    $("analyze").disabled = busy;
    $("result").setAttribute("aria-busy", String(busy));
    if (busy) setStatus("Analysing…");
  }

  /* ---------- evidence offsets ---------- */

  /* The server counts offsets in Unicode code points; JS strings index UTF-16 units.
   * They differ only after astral characters (emoji...), so map when the note has any. */
  function offsetMapper(text) {
    if (!/[\uD800-\uDFFF]/.test(text)) return function (i) { return i; };
    var map = [0], unit = 0;
    for (var i = 0; i < text.length; i++) {
      var code = text.charCodeAt(i);
      unit += 1;
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) { unit += 1; i += 1; }
      map.push(unit);
    }
    return function (cp) { return map[Math.min(cp, map.length - 1)]; };
  }

  /** Fact evidence as [{start, end, type}] (code-point offsets). */
  function factSpans(r) {
    var spans = [];
    function add(type, evidence) {
      (evidence || []).forEach(function (e) { spans.push({ start: e.start, end: e.end, type: type }); });
    }
    add("procedure", r.procedure.evidence);
    add("imaging", r.imaging.evidence);
    r.levels.forEach(function (l) { add("levels", l.evidence); add("levels", l.side_evidence); });
    add("intent", r.intent.evidence);
    r.pain_scores.forEach(function (p) { add("pain", p.evidence); });
    r.percent_relief.forEach(function (p) { add("pain", p.evidence); });
    add("pain", r.pain_duration.evidence);
    add("care", r.conservative_care.evidence);
    r.conservative_care.items.forEach(function (i) { add("care", i.evidence); });
    r.diagnoses.forEach(function (d) { add("diagnosis", d.evidence); });
    add("diagnosis", r.radiculopathy.evidence);
    r.agents.forEach(function (a) { add("agents", a.evidence); });
    add("sedation", r.sedation.evidence);
    return spans;
  }

  /** Evidence of claim lines, flags and checklist items: boundaries only (they get no colour). */
  function linkedEvidence(r) {
    var all = [];
    r.claim_lines.concat(r.flags, r.checklist).forEach(function (item) { all = all.concat(item.evidence || []); });
    return all;
  }

  /* Split the note at every evidence boundary; each piece covered by a fact span becomes a
   * <mark> coloured by its highest-priority type, others covered by any evidence a <span>. */
  function buildAnnotatedNote(text, r) {
    var toUnit = offsetMapper(text);
    var priority = {};
    FACT_TYPES.forEach(function (t, i) { priority[t[0]] = i; });
    function clamp(i) { return Math.max(0, Math.min(text.length, toUnit(i))); }
    var facts = factSpans(r).map(function (s) { return { start: clamp(s.start), end: clamp(s.end), type: s.type }; })
      .filter(function (s) { return s.end > s.start; });
    var others = linkedEvidence(r).map(function (e) { return { start: clamp(e.start), end: clamp(e.end) }; });
    var cuts = [0, text.length];
    facts.concat(others).forEach(function (s) { cuts.push(s.start, s.end); });
    cuts = cuts.filter(function (v, i, a) { return a.indexOf(v) === i; }).sort(function (a, b) { return a - b; });

    var fragment = document.createDocumentFragment();
    var segments = [];
    for (var k = 0; k + 1 < cuts.length; k++) {
      var a = cuts[k], b = cuts[k + 1];
      var piece = text.slice(a, b);
      var types = facts.filter(function (s) { return s.start < b && s.end > a; })
        .map(function (s) { return s.type; })
        .filter(function (v, i, arr) { return arr.indexOf(v) === i; })
        .sort(function (x, y) { return priority[x] - priority[y]; });
      var covered = types.length || others.some(function (s) { return s.start < b && s.end > a; });
      if (!covered) { fragment.appendChild(document.createTextNode(piece)); continue; }
      var node = types.length
        ? el("mark", { "class": "hl hl-" + types[0], "data-types": types.join(" "), title: types.join(", ") }, [piece])
        : el("span", { "class": "ev" }, [piece]);
      fragment.appendChild(node);
      segments.push({ start: a, end: b, node: node });
    }
    state.segments = segments;
    state.toUnit = toUnit;
    return fragment;
  }

  /* ---------- linking a claim line / flag / checklist item to its evidence ---------- */

  function unlink() {
    state.linked.forEach(function (node) { node.classList.remove("linked"); });
    state.linked = [];
  }

  /** Outline the note pieces inside `evidence`; scroll the first into view if asked. */
  function link(evidence, scroll) {
    unlink();
    var ranges = (evidence || []).map(function (e) { return [state.toUnit(e.start), state.toUnit(e.end)]; });
    state.segments.forEach(function (seg) {
      if (ranges.some(function (r) { return seg.start < r[1] && seg.end > r[0]; })) {
        seg.node.classList.add("linked");
        state.linked.push(seg.node);
      }
    });
    if (scroll && state.linked.length) scrollNoteTo(state.linked[0]);
  }

  /* Scroll only the note box (not the page, which would move the focused item away). */
  function scrollNoteTo(node) {
    var box = $("annotated");
    var top = node.offsetTop;  // #annotated is position: relative, so this is relative to it
    if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - 24) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 3);
    }
  }

  /** Hover links; keyboard focus links and scrolls (the note may be off screen). */
  function linkable(node, evidence) {
    node.tabIndex = 0;
    node.classList.add("linkable");
    node.addEventListener("mouseenter", function () { link(evidence, false); });
    node.addEventListener("mouseleave", unlink);
    node.addEventListener("focus", function () { link(evidence, true); });
    node.addEventListener("blur", unlink);
    return node;
  }

  function evidenceSummary(evidence) {
    if (!evidence || !evidence.length) return el("span", { "class": "muted", text: "none" });
    var words = evidence.slice(0, 2).map(function (e) {
      var t = e.text.replace(/\s+/g, " ");
      return "\u201c" + (t.length > 40 ? t.slice(0, 39) + "\u2026" : t) + "\u201d";
    }).join(" ");
    return el("span", { "class": "evidence-text", text: words + (evidence.length > 2 ? " +" + (evidence.length - 2) : "") });
  }

  /* ---------- rendering ---------- */

  function render(r, claimText, text) {
    state.result = r;
    state.claimText = claimText;
    var annotated = $("annotated");
    clear(annotated);
    annotated.appendChild(buildAnnotatedNote(text, r));
    renderLegend();
    renderReview(r.review);
    renderClaims(r, claimText);
    renderFlags(r.flags);
    renderChecklist(r.checklist);
    renderFacts(r);
    showNoteView(true);
    $("empty").hidden = true;
    $("result").hidden = false;
    var errors = r.flags.filter(function (f) { return f.severity === "error"; }).length;
    setStatus("Analysed with the " + r.payer + " profile: " + plural(r.claim_lines.length, "claim line") + ", " +
      plural(r.flags.length, "flag") + (errors ? " (" + errors + " error" + (errors > 1 ? "s" : "") + ")" : "") +
      (r.review.status === "needs_review" ? "; needs review before sending" : "; auto-coded") + ".");
  }

  /** Auto-coded, or each reason a person should read the note first (linked to its evidence). */
  function renderReview(review) {
    var list = $("review-reasons");
    clear(list);
    var needs = review.status === "needs_review";
    $("review").className = "block review " + (needs ? "review-needed" : "review-auto");
    $("review-status").textContent = needs ? "(needs review: " + review.reasons.length + ")" : "(auto)";
    if (!needs) {
      list.appendChild(el("li", { "class": "ok", text: "Auto-coded: nothing in the note contradicts this reading." }));
      return;
    }
    review.reasons.forEach(function (x) {
      var item = el("li", { "class": "flag flag-warning", "aria-label": "needs review: " + x.message }, [
        el("div", { "class": "flag-head" }, [el("code", { "class": "flag-id", text: x.id })]),
        el("p", { "class": "flag-message", text: x.message }),
        el("p", { "class": "flag-meta" }, ["Evidence: ", evidenceSummary(x.evidence),
          x.rule_ids.length ? " \u00b7 rules " + x.rule_ids.join(", ") : ""])
      ]);
      list.appendChild(linkable(item, x.evidence));
    });
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function renderLegend() {
    var legend = $("legend");
    clear(legend);
    FACT_TYPES.forEach(function (t) {
      legend.appendChild(el("li", {}, [el("span", { "class": "swatch hl-" + t[0], "aria-hidden": "true" }), t[1]]));
    });
  }

  function renderClaims(r, claimText) {
    var body = $("claims").querySelector("tbody");
    clear(body);
    r.claim_lines.forEach(function (line) {
      var code = [line.cpt].concat(line.modifiers).join("-");
      var row = el("tr", { "aria-label": "Claim line " + code + " x" + line.units + ", focus to show its evidence" }, [
        el("td", {}, [el("strong", { text: line.cpt })]),
        el("td", { text: line.modifiers.join(" ") || "\u2014" }),
        el("td", { text: String(line.units) }),
        el("td", { text: line.icd10.join(", ") || "\u2014" }),
        el("td", { text: line.levels.join(", ") || "\u2014" }),
        el("td", {}, [evidenceSummary(line.evidence)])
      ]);
      if (line.description) row.title = line.description;
      body.appendChild(linkable(row, line.evidence));
    });
    $("claims").hidden = !r.claim_lines.length;
    $("no-claims").hidden = !!r.claim_lines.length;
    $("claims-count").textContent = "(" + r.claim_lines.length + ")";
    $("claim-text").textContent = claimText || "(nothing to copy)";
    $("copy").disabled = !claimText;
  }

  function renderFlags(flags) {
    var box = $("flags");
    clear(box);
    $("flags-count").textContent = "(" + flags.length + ")";
    if (!flags.length) {
      box.appendChild(el("p", { "class": "ok", text: "No flags: nothing to fix for this payer." }));
      return;
    }
    SEVERITIES.forEach(function (sev) {
      var group = flags.filter(function (f) { return f.severity === sev[0]; });
      if (!group.length) return;
      var headingId = "flags-" + sev[0];
      var list = el("ul", { "class": "flag-list", "aria-labelledby": headingId });
      group.forEach(function (f) {
        var item = el("li", { "class": "flag flag-" + f.severity, "aria-label": sev[0] + ": " + f.message }, [
          el("div", { "class": "flag-head" }, [
            el("span", { "class": "badge badge-" + f.severity, text: f.severity }),
            el("code", { "class": "flag-id", text: f.id })
          ]),
          el("p", { "class": "flag-message", text: f.message }),
          el("p", { "class": "flag-fix" }, [el("strong", { text: "Fix: " }), f.fix]),
          el("p", { "class": "flag-meta" }, [
            "Evidence: ", evidenceSummary(f.evidence),
            f.rule_ids.length ? " \u00b7 rules " + f.rule_ids.join(", ") : ""
          ])
        ]);
        list.appendChild(linkable(item, f.evidence));
      });
      box.appendChild(el("section", { "class": "flag-group" }, [
        el("h4", { id: headingId, "class": "sev-" + sev[0], text: sev[1] + " (" + group.length + ")" }), list
      ]));
    });
  }

  function renderChecklist(items) {
    var list = $("checklist");
    clear(list);
    var present = items.filter(function (c) { return c.present; }).length;
    $("checklist-count").textContent = "(" + present + " of " + items.length + " documented)";
    items.forEach(function (c) {
      var item = el("li", { "class": c.present ? "present" : "missing" }, [
        el("span", { "class": "mark", "aria-hidden": "true", text: c.present ? "\u2713" : "\u2717" }),
        el("span", { "class": "visually-hidden", text: c.present ? "Documented: " : "Missing: " }),
        c.label
      ]);
      list.appendChild(c.evidence.length ? linkable(item, c.evidence) : item);
    });
  }

  function renderFacts(r) {
    var dl = $("facts");
    clear(dl);
    function row(type, label, value, evidence) {
      var dt = el("dt", {}, [el("span", { "class": "swatch hl-" + type, "aria-hidden": "true" }), label]);
      var dd = el("dd", { text: value });
      dl.appendChild(dt);
      dl.appendChild(evidence && evidence.length ? linkable(dd, evidence) : dd);
    }
    function ev(list) { return list.reduce(function (all, x) { return all.concat(x.evidence || []); }, []); }
    row("procedure", "Procedure", r.procedure.family.replace(/_/g, " "), r.procedure.evidence);
    row("imaging", "Imaging", r.imaging.modality, r.imaging.evidence);
    row("levels", "Levels", r.levels.map(function (l) { return l.joint + " " + l.side; }).join(", ") || "not documented",
      r.levels.reduce(function (all, l) { return all.concat(l.evidence, l.side_evidence); }, []));
    row("intent", "Intent", r.intent.value, r.intent.evidence);
    row("pain", "Pain scores", r.pain_scores.map(function (p) {
      return p.value + (p.max_value ? "/" + p.max_value : "") + " " + p.scale + " (" + p.timing + ")";
    }).join("; ") || "not documented", ev(r.pain_scores));
    if (r.percent_relief.length) {
      row("pain", "Relief", r.percent_relief.map(function (p) {
        return p.percent + "%" + (p.duration ? " for " + p.duration : "");
      }).join("; "), ev(r.percent_relief));
    }
    row("pain", "Pain duration", r.pain_duration.months !== null ? r.pain_duration.months + " months"
      : (r.pain_duration.text || "not documented"), r.pain_duration.evidence);
    var cc = r.conservative_care;
    row("care", "Conservative care", (cc.failed ? "failed: " : "") +
      (cc.items.map(function (i) { return i.name.replace(/_/g, " "); }).join(", ") || "not documented"),
      cc.evidence.concat(ev(cc.items)));
    row("diagnosis", "Radiculopathy", r.radiculopathy.status.replace(/_/g, " "), r.radiculopathy.evidence);
    row("diagnosis", "Diagnoses", r.diagnoses.map(function (d) { return d.icd10 || d.text; }).join("; ") || "not documented",
      ev(r.diagnoses));
    row("agents", "Agents", r.agents.map(function (a) { return a.name; }).join(", ") || "none documented", ev(r.agents));
    row("sedation", "Sedation", r.sedation.kinds.join(", ").replace(/_/g, " ") || (r.sedation.given ? "yes" : "none"),
      r.sedation.evidence);
  }

  function showNoteView(show) {
    $("note-view").hidden = !show;
    $("input-view").hidden = show;
    $("edit").hidden = !show;
  }

  /* ---------- copy ---------- */

  function copyClaims() {
    var text = state.claimText;
    if (!text) return;
    var lines = text.split("\n").length;
    var done = function () { setStatus("Copied " + plural(lines, "claim line") + " to the clipboard."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text) ? done() : copyFailed(); });
    } else if (fallbackCopy(text)) {
      done();
    } else {
      copyFailed();
    }
  }

  /** Older browsers / insecure origins: select the visible copy text and use execCommand. */
  function fallbackCopy(text) {
    var area = el("textarea", { "class": "offscreen", "aria-hidden": "true" });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    $("copy").focus();
    return ok;
  }

  function copyFailed() { setStatus("Copy failed: select the claim lines text and copy it with Ctrl+C."); }

  /* ---------- wiring ---------- */

  function init() {
    $("token").value = sessionStorage.getItem(TOKEN_KEY) || "";
    $("note-form").addEventListener("submit", function (e) { e.preventDefault(); analyze(); });
    $("edit").addEventListener("click", function () { showNoteView(false); $("note").focus(); });
    $("clear").addEventListener("click", function () {
      $("note").value = "";
      showNoteView(false);
      $("result").hidden = true;
      $("empty").hidden = false;
      showError("");
      setStatus("");
      $("note").focus();
    });
    $("copy").addEventListener("click", copyClaims);
    $("token").addEventListener("change", function () { sessionStorage.setItem(TOKEN_KEY, token()); });
    // A new payer re-codes the note already shown.
    $("payer").addEventListener("change", function () { if (state.result && !$("note-view").hidden) analyze(); });
    document.addEventListener("keydown", function (e) {
      if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); analyze(); }
      if (e.key === "Escape") unlink();
    });
    loadHealth();
    $("note").focus();
  }

  document.addEventListener("DOMContentLoaded", init);
})();
