/* Site search. The index (kb/search/index.json, written by `kbtool site`) holds only what
   readers search: titles, citations, summaries, eligibility and deadlines. It is fetched
   the first time the reader focuses the search box, never on page load. Queries are
   read as `kbtool search` reads them: jurisdictions named in the query ("New York",
   "NY", "Texas") keep to that jurisdiction and federal law, remedy words ("vacate",
   "sue", "visa") favour their remedy types, common words are ignored, "T visa" is one
   word, and a word no record contains is replaced by the closest one (one or two
   letters off). Remedies rank over statutes, available remedies over undetermined ones.
   No external code; everything shown is inserted as text, never as HTML. */
(function () {
  "use strict";

  var script = document.currentScript;
  var ROOT = script && script.src ? script.src.replace(/assets\/kb-search\.js(?:[?#].*)?$/, "") : "/";
  var INDEX_URL = ROOT + "kb/search/index.json";
  var FIELDS = ["title", "citation", "summary", "eligibility", "deadline", "keywords"];
  var SNIPPET_FIELDS = [2, 3, 4]; // summary, eligibility, deadline
  var LIMIT = 20;
  var WORD = /[\p{L}\p{N}_]+(?:\.[\p{L}\p{N}_]+)*/gu;
  var COMPOUND = /\b([TtUu])[- ]?(visas?)\b/g;
  var loading = null;
  var data = null;

  // "T visa" is one more word in records ("tvisa visa") and one word in queries ("tvisa").
  function normalize(text, query) {
    return String(text || "").replace(COMPOUND, function (m, letter, visa) {
      return letter.toLowerCase() + "visa" + (query ? "" : " " + visa.toLowerCase());
    });
  }
  function tokens(text, query) { return normalize(text, query).toLowerCase().match(WORD) || []; }
  function norm(text) { return String(text).toLowerCase().replace(/[\s.,']+/g, " ").trim(); }
  function hasDigit(word) { return /\d/.test(word); }

  // A crude stem, enough to join vacate/vacatur/vacating and expungement/expunged.
  function stem(word) {
    if (hasDigit(word) || word.length < 5) return word;
    var endings = ["ments", "ment", "ings", "ing", "ions", "ion", "ed", "es", "ur", "s", "e"];
    var w = word;
    for (var pass = 0; pass < 2; pass++) {
      for (var i = 0; i < endings.length; i++) {
        var e = endings[i];
        if (w.length - e.length >= 4 && w.slice(-e.length) === e) { w = w.slice(0, -e.length); break; }
      }
    }
    return w;
  }

  function edits(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var low = i;
      for (j = 1; j <= b.length; j++) {
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur.push(v);
        if (v < low) low = v;
      }
      if (low > max) return max + 1;
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }

  function prepare(raw) {
    var idx = {};
    raw.fields.forEach(function (f, i) { idx[f] = i; });
    var docs = raw.docs.map(function (row, n) {
      var doc = { n: n, url: row[idx.url], id: row[idx.id], kind: row[idx.kind],
        jurisdiction: row[idx.jurisdiction], type: row[idx.type], available: row[idx.available],
        prior: row[idx.prior],
        fields: FIELDS.map(function (f) { return row[idx[f]] || ""; }) };
      doc.lower = doc.fields.map(function (t) { return normalize(t).toLowerCase(); });
      return doc;
    });
    var vocab = new Map(); // token -> [[doc, field], ...]
    docs.forEach(function (doc) {
      doc.fields.forEach(function (text, f) {
        var seen = {};
        tokens(text).forEach(function (t) {
          if (seen[t]) return;
          seen[t] = true;
          var list = vocab.get(t);
          if (!list) vocab.set(t, list = []);
          list.push([doc.n, f]);
        });
      });
    });
    var df = new Map();
    vocab.forEach(function (list, t) {
      var ds = {};
      list.forEach(function (p) { ds[p[0]] = true; });
      df.set(t, Object.keys(ds).length);
    });
    var keys = new Map();
    raw.jurisdiction_keys.forEach(function (k) {
      var old = keys.get(k[0]);
      if (!old || (old.careful && !k[2])) keys.set(k[0], { code: k[1], careful: !!k[2] });
    });
    data = { raw: raw, docs: docs, vocab: vocab, words: Array.from(vocab.keys()), df: df, keys: keys,
      stop: new Set(raw.stopwords), remedy: raw.remedy_words, pages: raw.pages };
    return data;
  }

  function load() {
    if (!loading) {
      loading = fetch(INDEX_URL, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error("search index: HTTP " + r.status); return r.json(); })
        .then(prepare);
    }
    return loading;
  }

  function carefulOk(typed, key) {
    if (key.length <= 2) return typed === typed.toUpperCase() && typed.replace(/\./g, "").length <= 3;
    return /\.$/.test(typed) && typed[0] === typed[0].toUpperCase();
  }

  // The query, read: jurisdictions, phrases, words, remedy types, corrections.
  function understand(text) {
    var q = { text: text, jurisdictions: [], phrases: [], words: [], types: [], corrections: {} };
    var rest = String(text).replace(/"([^"]*)"/g, function (m, p) {
      if (p.trim()) q.phrases.push(normalize(p, true).toLowerCase().trim());
      return " ";
    });
    var toks = normalize(rest, true).split(/[\s,;!?]+/).filter(Boolean);
    var i = 0;
    while (i < toks.length) {
      var matched = 0;
      for (var n = Math.min(4, toks.length - i); n > 0 && !matched; n--) {
        var typed = toks.slice(i, i + n).join(" ");
        var key = norm(typed);
        var hit = data.keys.get(key);
        if (!hit || (hit.careful && !carefulOk(typed, key))) continue;
        if (q.jurisdictions.indexOf(hit.code) < 0) q.jurisdictions.push(hit.code);
        matched = n;
      }
      if (matched) { i += matched; continue; }
      tokens(toks[i], true).forEach(function (w) {
        (data.remedy[w] || []).forEach(function (t) { if (q.types.indexOf(t) < 0) q.types.push(t); });
        if (data.stop.has(w) || (w.length < 2 && !hasDigit(w))) return;
        q.words.push(w);
      });
      i += 1;
    }
    q.phrases.forEach(function (p) {
      p.split(/\s+/).forEach(function (w) {
        (data.remedy[w] || []).forEach(function (t) { if (q.types.indexOf(t) < 0) q.types.push(t); });
      });
    });
    q.words = q.words.map(function (w) {
      if (data.df.has(w) || hasDigit(w) || w.length < 4) return w;
      var max = w.length >= 7 ? 2 : 1, best = null;
      data.words.forEach(function (c) {
        if (c[0] !== w[0] || hasDigit(c)) return;
        var d = edits(w, c, max);
        if (d > max) return;
        var score = [d, -data.df.get(c)];
        if (!best || score[0] < best.s[0] || (score[0] === best.s[0] && score[1] < best.s[1])) best = { c: c, s: score };
      });
      if (best && stem(best.c) !== stem(w)) { q.corrections[w] = best.c; return best.c; }
      if (best && !data.vocab.has(stem(w))) { q.corrections[w] = best.c; return best.c; }
      return w;
    });
    return q;
  }

  function expand(word) {
    if (hasDigit(word)) return data.vocab.has(word) ? [word] : [];
    var s = stem(word);
    return data.words.filter(function (t) { return t === word || (t.length >= s.length && t.lastIndexOf(s, 0) === 0); });
  }

  function search(text) {
    var q = understand(text);
    var W = data.raw.weights, fw = FIELDS.map(function (f) { return W.fields[f]; });
    var N = data.docs.length;
    var scores = new Map(), matched = new Map();
    q.words.forEach(function (word) {
      var per = new Map(); // doc -> [best idf per field]
      expand(word).forEach(function (t) {
        var idf = Math.log(1 + N / data.df.get(t));
        data.vocab.get(t).forEach(function (p) {
          var row = per.get(p[0]);
          if (!row) per.set(p[0], row = [0, 0, 0, 0, 0, 0]);
          if (idf > row[p[1]]) row[p[1]] = idf;
        });
      });
      per.forEach(function (row, d) {
        var s = 0;
        row.forEach(function (idf, f) {
          if (idf) s += idf * fw[f] * (f === 1 && hasDigit(word) ? W.section : 1);
        });
        scores.set(d, (scores.get(d) || 0) + s);
        matched.set(d, (matched.get(d) || 0) + 1);
      });
    });
    var named = q.jurisdictions.slice();
    if (named.some(function (c) { return c.indexOf("US-") === 0; }) && named.indexOf("US") < 0) named.push("US");
    var onlyPlace = !q.words.length && !q.phrases.length && q.jurisdictions.length;
    var results = [];
    data.docs.forEach(function (doc) {
      var s = scores.get(doc.n) || 0;
      if (q.phrases.length) {
        var all = q.phrases.every(function (p) { return doc.lower.some(function (t) { return t.indexOf(p) >= 0; }); });
        if (!all) return;
        s += 5 * q.phrases.length;
      }
      if (onlyPlace) s = 1;
      if (!s) return;
      if (named.length && named.indexOf(doc.jurisdiction) < 0) return;
      if (q.words.length > 1) s *= 0.5 + 0.5 * (matched.get(doc.n) || 0) / q.words.length;
      s *= doc.prior; // remedy over statute, available over undetermined, official text first
      if (q.jurisdictions.indexOf(doc.jurisdiction) >= 0) s *= W.jurisdiction;
      if (doc.kind === "r" && q.types.indexOf(doc.type) >= 0) s *= W.type;
      results.push({ doc: doc, score: s });
    });
    results.sort(function (a, b) { return b.score - a.score || a.doc.n - b.doc.n; });
    var pages = [];
    data.pages.forEach(function (p) {
      var isPlace = p[1] && q.jurisdictions.indexOf(p[1]) >= 0 && onlyPlace;
      var words = tokens(p[2] + " " + p[3]);
      var hits = q.words.filter(function (w) { return words.some(function (t) { return t.lastIndexOf(stem(w), 0) === 0; }); }).length;
      if (isPlace || (q.words.length && hits === q.words.length && !q.jurisdictions.length)) pages.push({ page: p, score: isPlace ? Infinity : 0 });
    });
    return { query: q, total: results.length + pages.length,
      hits: pages.filter(function (p) { return p.score === Infinity; })
        .concat(results, pages.filter(function (p) { return p.score !== Infinity; })) };
  }

  // --- showing results --------------------------------------------------------------

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function snippet(doc, q) {
    var stems = q.words.map(stem).filter(function (s) { return s.length >= 2; });
    var best = null;
    SNIPPET_FIELDS.forEach(function (f) {
      var text = doc.fields[f];
      if (!text) return;
      var low = normalize(text).toLowerCase();
      var count = stems.filter(function (s) { return low.indexOf(s) >= 0; }).length;
      if (!best || count > best.count) best = { f: f, count: count, text: text };
    });
    if (!best) return null;
    var label = data.raw.labels[FIELDS[best.f]];
    var text = best.text, start = 0;
    if (best.count) {
      var low = text.toLowerCase(), first = text.length;
      stems.forEach(function (s) { var i = low.indexOf(s); if (i >= 0 && i < first) first = i; });
      start = Math.max(0, first - 60);
      if (start > 0) start = text.indexOf(" ", start) + 1;
    }
    var piece = text.slice(start, start + 220);
    var p = el("p", "kb-search-snippet");
    p.appendChild(el("strong", "", label + ": "));
    if (start > 0) p.appendChild(document.createTextNode("… "));
    var re = stems.length ? new RegExp("(" + stems.map(function (s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|") + ")[\\p{L}\\p{N}]*", "giu") : null;
    var pos = 0, m;
    if (re) {
      while ((m = re.exec(piece)) !== null) {
        p.appendChild(document.createTextNode(piece.slice(pos, m.index)));
        p.appendChild(el("mark", "", m[0]));
        pos = m.index + m[0].length;
      }
    }
    p.appendChild(document.createTextNode(piece.slice(pos) + (start + 220 < text.length ? " …" : "")));
    return p;
  }

  var BADGES = { "1": "Available", "0": "Not available", "-1": "Undetermined" };

  function render(box, out, result) {
    out.textContent = "";
    var q = result.query;
    var head = el("p", "kb-search-meta");
    head.setAttribute("role", "status");
    var fixes = Object.keys(q.corrections);
    if (fixes.length) {
      head.appendChild(el("span", "kb-search-fix", "Showing results for " + fixes.map(function (k) { return q.corrections[k]; }).join(", ") + " (no record has " + fixes.join(", ") + "). "));
    }
    head.appendChild(document.createTextNode(result.total ? result.total + (result.total === 1 ? " result" : " results") : "No results"));
    out.appendChild(head);
    var list = el("ol", "kb-search-list");
    result.hits.slice(0, LIMIT).forEach(function (hit) {
      var li = el("li", "kb-search-item");
      var a = el("a", "kb-search-hit");
      if (hit.page) {
        a.href = ROOT + hit.page[0];
        a.setAttribute("data-id", hit.page[1] || hit.page[0]);
        a.appendChild(el("span", "kb-search-title", hit.page[2]));
        if (hit.page[3]) a.appendChild(el("span", "kb-search-sub", hit.page[3]));
      } else {
        var doc = hit.doc;
        a.href = ROOT + doc.url;
        a.setAttribute("data-id", doc.id);
        a.appendChild(el("span", "kb-search-title", doc.fields[0]));
        var meta = (data.raw.names[doc.jurisdiction] || doc.jurisdiction) + " · " + (doc.kind === "r" ? "remedy" : "statute");
        var sub = el("span", "kb-search-sub", meta);
        if (doc.kind === "r") sub.appendChild(el("span", "kb-search-badge kb-search-a" + doc.available, BADGES[String(doc.available)]));
        a.appendChild(sub);
        if (doc.fields[1]) a.appendChild(el("span", "kb-search-cite", doc.fields[1]));
        var snip = snippet(doc, q);
        if (snip) a.appendChild(snip);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    out.appendChild(list);
    out.hidden = false;
    box.setAttribute("aria-expanded", "true");
  }

  function install() {
    var header = document.querySelector(".md-header__inner");
    if (!header || document.querySelector(".kb-search")) return;
    var form = el("form", "kb-search");
    form.setAttribute("role", "search");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var first = out.querySelector("a.kb-search-hit");
      if (first) window.location.href = first.href;
    });
    var box = el("input", "kb-search-input");
    box.type = "search";
    box.id = "kb-search-input";
    box.placeholder = "Search: state, remedy, section";
    box.setAttribute("aria-label", "Search the knowledge base");
    box.setAttribute("autocomplete", "off");
    box.setAttribute("aria-controls", "kb-search-results");
    var out = el("div", "kb-search-results");
    out.id = "kb-search-results";
    out.hidden = true;
    form.appendChild(box);
    form.appendChild(out);
    var source = header.querySelector(".md-header__source");
    header.insertBefore(form, source || null);
    var timer = null;
    function run() {
      var text = box.value.trim();
      if (!text) { out.hidden = true; box.setAttribute("aria-expanded", "false"); return; }
      load().then(function () { if (box.value.trim() === text) render(box, out, search(text)); })
        .catch(function (err) { out.textContent = "Search is unavailable: " + err.message; out.hidden = false; });
    }
    box.addEventListener("focus", function () { load().catch(function () {}); });
    box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { out.hidden = true; box.blur(); }
      if (e.key === "ArrowDown") {
        var first = out.querySelector("a.kb-search-hit");
        if (first && !out.hidden) { e.preventDefault(); first.focus(); }
      }
    });
    out.addEventListener("keydown", function (e) {
      var links = Array.prototype.slice.call(out.querySelectorAll("a.kb-search-hit"));
      var i = links.indexOf(document.activeElement);
      if (i < 0) return;
      if (e.key === "ArrowDown" && i + 1 < links.length) { e.preventDefault(); links[i + 1].focus(); }
      if (e.key === "ArrowUp") { e.preventDefault(); (i ? links[i - 1] : box).focus(); }
      if (e.key === "Escape") { out.hidden = true; box.focus(); }
    });
    document.addEventListener("keydown", function (e) {
      var tag = (document.activeElement && document.activeElement.tagName) || "";
      if (e.key === "/" && !/INPUT|TEXTAREA|SELECT/.test(tag)) { e.preventDefault(); box.focus(); }
    });
    document.addEventListener("click", function (e) { if (!form.contains(e.target)) out.hidden = true; });
  }

  window.KBSearch = {
    load: load,
    search: function (text) { return load().then(function () { return search(text); }); },
    ids: function (text, n) {
      return load().then(function () {
        return search(text).hits.slice(0, n || 3).map(function (h) { return h.doc ? h.doc.id : h.page[1] || h.page[0]; });
      });
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", install);
  else install();
})();
