/* The remedy screener in the browser. The same algorithm as kbtool/screener.py, over the
   same tables (window.KB_SCREENER_RULES, written by `kbtool site` from kbtool.screener.rules())
   and the same records (window.KB_SCREENER_DATA). Both evaluators run the cases in
   tests/fixtures/screener/vectors.json; change one, change the other.
   No external code; nothing is sent anywhere; record text only ever goes into textContent. */
(function () {
  "use strict";

  var hasOwn = Object.prototype.hasOwnProperty;

  // --- small pieces, one for one with kbtool/screener.py ----------------------------------

  function isObject(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
  function isNumber(v) { return typeof v === "number" && isFinite(v); }
  function isWhole(v) { return isNumber(v) && Math.floor(v) === v; }
  function hasText(v) { return typeof v === "string" && v.trim() !== ""; }
  function key(v, table) { return typeof v === "string" && hasOwn.call(table, v) ? v : null; }
  function orNull(v) { return v === undefined ? null : v; }

  function tristateKey(v) { return v === true ? "true" : v === false ? "false" : "unknown"; }

  function numberText(v) { return String(v); }

  function valueText(rules, field, v) {
    if (v === true) return "yes";
    if (v === false) return "no";
    if (Array.isArray(v)) return v.map(function (x) { return valueText(rules, field, x); }).join(", ");
    if (typeof v === "number") return numberText(v);
    if (v === null || v === undefined || typeof v === "object") return "";
    var labels = rules.value_labels[field] || {};
    if (typeof v === "string" && hasOwn.call(labels, v)) return labels[v];
    return String(v).replace(/_/g, " ");
  }

  function fill(template, params) {
    return template.replace(/\{(\w+)\}/g, function (m, name) {
      return hasOwn.call(params, name) ? String(params[name]) : m;
    });
  }

  // Dates as {y, m, d}; compared as YYYY-MM-DD strings.
  function parseDate(s) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || "");
    return m ? { y: +m[1], m: +m[2], d: +m[3] } : null;
  }
  function pad(n, w) { var s = String(n); while (s.length < w) s = "0" + s; return s; }
  function iso(t) { return pad(t.y, 4) + "-" + pad(t.m, 2) + "-" + pad(t.d, 2); }
  function leap(y) { return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0; }
  function daysIn(y, m) { return [31, leap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]; }
  function addMonths(t, months) {
    var total = t.y * 12 + (t.m - 1) + months;
    var y = Math.floor(total / 12), m = total - y * 12 + 1;
    return { y: y, m: m, d: Math.min(t.d, daysIn(y, m)) };
  }
  function addDay(t) {
    if (t.d < daysIn(t.y, t.m)) return { y: t.y, m: t.m, d: t.d + 1 };
    if (t.m < 12) return { y: t.y, m: t.m + 1, d: 1 };
    return { y: t.y + 1, m: 1, d: 1 };
  }
  function yearsToMonths(years) { return Math.floor(years * 12 + 0.5); }

  function getPath(record, path) {
    var v = record;
    var parts = path.split(".");
    for (var i = 0; i < parts.length; i++) {
      if (!isObject(v)) return null;
      v = hasOwn.call(v, parts[i]) ? v[parts[i]] : null;
    }
    return v === undefined ? null : v;
  }

  function normalizeWords(text) {
    return String(text).toLowerCase().replace(/[-_\s]+/g, " ").trim().replace(/\.+$/, "").trim();
  }

  function resolveOffense(rules, text) {
    if (typeof text !== "string") return null;
    var words = normalizeWords(text), found = null;
    Object.keys(rules.offense_categories).forEach(function (k) {
      if (found === null && (words === normalizeWords(k) || words === normalizeWords(rules.offense_categories[k]))) found = k;
    });
    if (found !== null) return found;
    Object.keys(rules.offense_aliases).forEach(function (name) {
      if (found === null && words === normalizeWords(name)) found = rules.offense_aliases[name];
    });
    return found;
  }

  function containsWords(remedy, field, words) {
    var v = getPath(remedy, field);
    return typeof v === "string" && v.toLowerCase().indexOf(words.toLowerCase()) !== -1 ? v : null;
  }

  // --- the evaluator ----------------------------------------------------------------------

  function normalizeInput(raw, rules) {
    function text(k) { var v = raw[k]; return v === undefined || v === null || v === "" ? null : String(v); }
    var age = raw.age;
    var offense = text("offense");
    return {
      jurisdiction: String(raw.jurisdiction),
      record: text("record"),
      offense: offense === null ? null : (resolveOffense(rules, offense) || offense),
      offense_date: text("offense_date"),
      convicted: text("convicted"),
      exited: text("exited"),
      age: age === undefined || age === null || age === "" ? null : parseInt(age, 10),
      trafficking: text("trafficking"),
      immigration_status: text("immigration_status")
    };
  }

  /* checkInput(input, today[, rules]): the same refusals as kbtool.screener.check_input(). */
  function checkInput(input, today, rules) {
    rules = rules || window.KB_SCREENER_RULES;
    var q = normalizeInput(input, rules);
    var out = [];
    function add(code, params) { out.push({ code: code, effect: "refused", text: fill(rules.input_errors[code], params) }); }
    Object.keys(rules.date_fields).forEach(function (name) {
      if (q[name] !== null && q[name] > today) add("future_date", { field: rules.date_fields[name], date: q[name], today: today });
    });
    if (q.convicted !== null && q.offense_date !== null && q.convicted < q.offense_date) {
      add("convicted_before_offense", { convicted: q.convicted, offense_date: q.offense_date });
    }
    return out;
  }

  function recordReliefMaxAge(rules, rr) {
    if (isWhole(rr.max_age_at_offense)) return rr.max_age_at_offense;
    var appliesTo = key(rr.applies_to, rules.applies_to_max_age);
    return appliesTo ? rules.applies_to_max_age[appliesTo] : null;
  }

  function deadlineWindow(rules, years, runsFrom, q) {
    var months = yearsToMonths(years);
    var source = rules.runs_from[runsFrom].input;
    if (source === "age_18") {
      if (q.offense_date === null || q.age === null) return null;
      var o = parseDate(q.offense_date);
      var latest = addMonths(o, (18 - q.age) * 12 + months);
      var earliest = addMonths(o, (17 - q.age) * 12 + months);
      return [iso(addDay(earliest)), iso(latest)];
    }
    var start = source ? q[source] : null;
    if (start === null || start === undefined) return null;
    var end = iso(addMonths(parseDate(start), months));
    return [end, end];
  }

  function screenAge(maxAge, q, add) {
    if (!isWhole(maxAge)) return;
    if (q.age === null) add("age_not_given", { max_age: maxAge });
    else if (q.age <= maxAge) add("age_within_limit", { max_age: maxAge, age: q.age });
    else add("age_over_limit", { max_age: maxAge, age: q.age });
  }

  function fixedPeriod(rules, limit, q, today, add) {
    var years = limit.years, runsFrom = key(limit.runs_from, rules.runs_from);
    if (!isNumber(years) || years <= 0 || runsFrom === null) {
      add("deadline_not_computable", { rule: rules.time_limit_labels.fixed_period });
      return null;
    }
    var event = rules.runs_from[runsFrom].label;
    var label = numberText(years) + " years from " + event;
    if (rules.runs_from[runsFrom].input === null) {
      add("deadline_not_computable", { rule: label });
      return null;
    }
    var w = deadlineWindow(rules, years, runsFrom, q);
    if (w === null) {
      add("deadline_input_missing", { years: numberText(years), event: event });
      return null;
    }
    var earliest = w[0], latest = w[1];
    if (today > latest) {
      add("deadline_passed", { years: numberText(years), event: event, date: latest });
      if (hasText(limit.text)) add("deadline_exception_to_check", { text: limit.text });
      else add("deadline_no_exception_coded", {});
    } else if (today <= earliest) add("deadline_open", { years: numberText(years), event: event, date: earliest });
    else add("deadline_may_have_passed", { years: numberText(years), event: event, earliest: earliest, latest: latest });
    return { earliest: earliest, latest: latest };
  }

  function screenRecordRelief(rules, remedy, q, today, add) {
    var rr = isObject(remedy.record_relief) ? remedy.record_relief : {};
    if (q.record === null) add("record_kind_not_given", {});
    else {
      var kind = rules.record_kinds[q.record];
      add(rules.coverage[tristateKey(rr[kind.covers])], { record: kind.plural });
    }
    var treatment = "unknown";
    if (q.offense === null) add("offense_not_given", {});
    else {
      var cats = rr.offense_categories;
      var coded = isObject(cats) && hasOwn.call(cats, q.offense) ? cats[q.offense] : null;
      treatment = key(coded, rules.category_treatment) || "unknown";
      add(rules.category_treatment[treatment], { offense: rules.offense_categories[q.offense] });
    }
    var exclusions = rr.exclusions;
    if (Array.isArray(exclusions) && exclusions.length && treatment !== "excluded") {
      add("exclusions_listed", {
        exclusions: exclusions.map(function (e) { return String(e).replace(/\.+$/, ""); }).join("; ")
      });
    }
    var kinds = rr.trafficking_types;
    if (!Array.isArray(kinds) || !kinds.length) add("trafficking_type_coverage_unknown", {});
    else {
      var covered = ["sex", "labor"].filter(function (k) { return kinds.indexOf(k) !== -1; }).join(" and ");
      var asked = q.trafficking;
      if (kinds.indexOf("sex") !== -1 && kinds.indexOf("labor") !== -1) add("trafficking_type_covered", { covered: covered });
      else if (asked === null || asked === "unknown") add("trafficking_type_not_given", { covered: covered });
      else if (asked === "both") add("trafficking_type_partly_covered", { covered: covered });
      else if (kinds.indexOf(asked) !== -1) add("trafficking_type_covered", { covered: covered });
      else add("trafficking_type_not_covered", { covered: covered, trafficking: asked });
    }
    screenAge(recordReliefMaxAge(rules, rr), q, add);
    var limit = isObject(rr.time_limit) ? rr.time_limit : {};
    var rule = key(limit.rule, rules.time_limit_rules) || "unknown";
    var deadline = null;
    if (rule === "fixed_period") deadline = fixedPeriod(rules, limit, q, today, add);
    else add(rules.time_limit_rules[rule], { rule: rules.time_limit_labels[rule] });
    if (hasText(limit.waiting_period)) add("waiting_period", { text: limit.waiting_period });
    if (hasText(remedy.eligibility)) add("eligibility_to_check", {});
    return deadline;
  }

  function screenCivilAction(rules, remedy, q, today, add) {
    var ca = isObject(remedy.civil_action) ? remedy.civil_action : {};
    var period = ca.limitation_period;
    if (period === "none") { add("no_limitation", {}); return null; }
    if (!isNumber(period) || period <= 0) { add("limitation_unknown", {}); return null; }
    var years = numberText(period);
    if (q.exited === null) { add("exit_date_not_given", { years: years }); return null; }
    var end = iso(addMonths(parseDate(q.exited), yearsToMonths(period)));
    if (today <= end) add("limitation_open", { years: years, date: end });
    else if (q.age === null || q.age < 18) add("limitation_may_be_tolled", { years: years, date: end });
    else {
      add("limitation_passed", { years: years, date: end });
      if (hasText(ca.tolling)) add("tolling_may_help", { tolling: ca.tolling });
      else add("no_tolling_coded", {});
    }
    return { earliest: end, latest: end };
  }

  function minorVictimsOnly(rules, remedy) {
    return rules.minor_victim_words.some(function (fw) { return containsWords(remedy, fw[0], fw[1]) !== null; });
  }

  function screenVictimAge(q, add) {
    if (q.age === null) add("victim_age_not_given", {});
    else if (q.age <= 17) add("victim_age_within_limit", { age: q.age });
    else add("victim_age_over_limit", { age: q.age });
  }

  function screenStage(rules, stage, q, add) {
    if (q.record === null || stage.open_kinds.indexOf(q.record) !== -1) add(stage.open, {});
    else add(stage.closed, { record: rules.record_kinds[q.record].plural });
  }

  function screenImmigration(rules, remedy, q, add) {
    var status = q.immigration_status;
    if (status === null || status === "unknown") { add("immigration_status_not_given", {}); return; }
    if (status === "citizen") { add("immigration_citizen", {}); return; }
    if (status === "noncitizen") { add("immigration_noncitizen", { status: rules.immigration_statuses[status] }); return; }
    for (var i = 0; i < rules.lpr_ruled_out_by.length; i++) {
      var fw = rules.lpr_ruled_out_by[i];
      var text = containsWords(remedy, fw[0], fw[1]);
      if (text !== null) { add("immigration_lpr_has_it", { field: fw[0].replace(/_/g, " "), quote: text }); return; }
    }
    add("immigration_lpr_unsettled", {});
  }

  function verdictOf(rules, reasons) {
    var verdict = rules.verdicts[0];
    reasons.forEach(function (r) {
      var cap = rules.effects[r.effect];
      if (rules.verdicts.indexOf(cap) > rules.verdicts.indexOf(verdict)) verdict = cap;
    });
    return verdict;
  }

  function details(rules, remedy, section) {
    var out = [];
    rules.details[section].forEach(function (row) {
      var label = row[0], path = row[1], kind = row[2];
      var v = getPath(remedy, path);
      if (v === null || v === "" || (Array.isArray(v) && v.length === 0)) return;
      if (out.some(function (pair) { return pair[0] === label; })) return;
      var field = path.split(".").pop();
      out.push([label, kind === "text" && typeof v === "string" ? v : valueText(rules, field, v)]);
    });
    return out;
  }

  function law(remedy) {
    return (remedy.legal_basis || []).filter(isObject).map(function (ref) {
      return { citation: String(ref.citation || ref.statute || ""), url: ref.official_text_url || null };
    });
  }

  function screenOne(rules, remedy, q, today) {
    var reasons = [], summary = null;
    function add(code, params) {
      var spec = rules.reasons[code];
      reasons.push({ code: code, effect: spec.effect, text: fill(spec.text, params) });
      if (summary === null && hasOwn.call(rules.deadline_summary, code)) summary = fill(rules.deadline_summary[code], params);
    }
    var type = String(remedy.remedy_type || "");
    var typeRule = hasOwn.call(rules.type_rules, type) ? rules.type_rules[type] : rules.default_type_rule;
    var federal = remedy.jurisdiction === rules.federal && q.jurisdiction !== rules.federal;
    var deadline = null, minorsOnly = false;
    var stop = rules.availability[tristateKey(remedy.available)];
    if (federal && typeRule.federal_only) add("federal_offenses_only", { jurisdiction: q.jurisdiction });
    else if (stop !== null) {
      add(stop, { last_verified: remedy.last_verified || "unknown" });
      var stopStage = typeRule.stage && hasOwn.call(rules.stages, typeRule.stage) ? rules.stages[typeRule.stage] : null;
      if (stop === "law_undetermined" && stopStage !== null) screenStage(rules, stopStage, q, add);  // a decided case rules it out either way
    }
    else {
      var stage = typeRule.stage && hasOwn.call(rules.stages, typeRule.stage) ? rules.stages[typeRule.stage] : null;
      if (stage !== null) screenStage(rules, stage, q, add);
      if (typeRule.screen === "record_relief") deadline = screenRecordRelief(rules, remedy, q, today, add);
      else if (typeRule.screen === "civil_action") deadline = screenCivilAction(rules, remedy, q, today, add);
      screenAge(typeRule.max_age_at_offense, q, add);
      if (typeRule.screen === "civil_action" && minorVictimsOnly(rules, remedy)) {
        screenVictimAge(q, add);
        minorsOnly = true;
      }
      if (typeRule.immigration) screenImmigration(rules, remedy, q, add);
      var sofar = verdictOf(rules, reasons);
      if (typeRule.in_words && (sofar === rules.verdicts[0] || sofar === rules.verdicts[1])) add("eligibility_in_words", {});
    }
    var rr = isObject(remedy.record_relief) ? remedy.record_relief : {};
    [typeRule.max_age_at_offense, recordReliefMaxAge(rules, rr)].forEach(function (a) {
      if (isWhole(a) && a < 18) minorsOnly = true;
    });
    var verdict = verdictOf(rules, reasons);
    return {
      id: String(remedy.id || ""),
      jurisdiction: String(remedy.jurisdiction || ""),
      remedy_type: type,
      title: String(remedy.title || remedy.id || ""),
      available: orNull(remedy.available),
      federal: federal,
      verdict: verdict,
      reasons: reasons,
      deadline: deadline,
      deadline_summary: summary,
      minors_only: minorsOnly,
      establish: details(rules, remedy, "establish"),
      procedure: details(rules, remedy, "procedure"),
      law: law(remedy),
      last_verified: orNull(remedy.last_verified),
      verification: orNull(remedy.verification)
    };
  }

  /* screen(remedies, input, today[, rules]): the same answer as kbtool.screener.screen(). */
  function screen(remedies, input, today, rules) {
    rules = rules || window.KB_SCREENER_RULES;
    var q = normalizeInput(input, rules);
    var own = remedies.filter(function (r) { return r.jurisdiction === q.jurisdiction; });
    var fed = q.jurisdiction !== rules.federal
      ? remedies.filter(function (r) { return r.jurisdiction === rules.federal; })
      : [];
    var results = own.concat(fed).map(function (r) { return screenOne(rules, r, q, today); });
    // within each, relief only for those under 18 at the time comes after the rest (stable)
    return results.map(function (r, i) { return [r, i]; }).sort(function (a, b) {
      return (a[0].federal - b[0].federal) || (a[0].minors_only - b[0].minors_only) || (a[1] - b[1]);
    }).map(function (p) { return p[0]; });
  }

  // --- the memo: the same Markdown as kbtool.screener.memo() ----------------------------------

  function md(text) {
    return String(text).split(/\s+/).filter(function (w) { return w !== ""; }).join(" ")
      .replace(/([\\`*_\[\]<>|#&])/g, "\\$1");
  }
  var SAFE_URL = /^https?:\/\/[^\s\/@"'<>`]+(\/[^\s"'<>`]*)?$/;

  function memoValue(rules, name, answer) {
    var v = answer.input[name];
    if (v === null || v === undefined || v === "") return rules.memo.not_given;
    var tables = {
      record: {}, offense: rules.offense_categories, trafficking: rules.trafficking_kinds,
      immigration_status: rules.immigration_statuses
    };
    Object.keys(rules.record_kinds).forEach(function (k) { tables.record[k] = rules.record_kinds[k].label; });
    var text = hasOwn.call(tables, name) ? (hasOwn.call(tables[name], v) ? tables[name][v] : String(v)) : String(v);
    var entered = answer.offense_entered;
    if (name === "offense" && entered && normalizeWords(entered) !== normalizeWords(text) && normalizeWords(entered) !== normalizeWords(v)) {
      return fill(rules.memo.counted_as, { entered: entered, category: text });
    }
    return text;
  }

  function verifiedText(rules, r) {
    var date = r.last_verified || "unknown";
    if (r.verification === "unverified") return "Checked " + date + ", not verified against a source.";
    return "Verified " + date + " (" + valueText(rules, "verification", r.verification) + ").";
  }

  function lawText(rules, r, link) {
    var parts = r.law.map(function (ref) {
      if (link && typeof ref.url === "string" && SAFE_URL.test(ref.url)) return md(ref.citation) + " (<" + ref.url + ">)";
      return md(ref.citation);
    });
    return parts.length ? parts.join("; ") : rules.memo.none;
  }

  /* memo(answer, types[, rules]): the screener's answer as a Markdown memo. */
  function memo(answer, types, rules) {
    rules = rules || window.KB_SCREENER_RULES;
    var m = rules.memo, j = answer.jurisdiction;
    var place = j.name + " (" + j.code + ")";
    var out = ["# " + md(fill(m.title, { jurisdiction: place })), "", md(fill(m.intro, { as_of: answer.as_of })), "",
      "## " + m.facts, "", "- Jurisdiction of the record: " + md(place)];
    rules.memo_fields.forEach(function (f) { out.push("- " + f[1] + ": " + md(memoValue(rules, f[0], answer))); });
    out.push("", "## " + m.summary, "", "| Remedy | Verdict | Deadline | Law |", "| --- | --- | --- | --- |");
    answer.results.forEach(function (r) {
      var cells = [r.title, r.verdict, r.deadline_summary || "-"];
      out.push("| " + cells.map(md).join(" | ") + " | " + lawText(rules, r, false) + " |");
    });
    out.push("", "## " + m.remedies);
    answer.results.forEach(function (r, i) {
      var kind = types[r.remedy_type] || r.remedy_type.replace(/_/g, " ");
      out.push("", "### " + (i + 1) + ". " + md(r.title), "");
      out.push("- Verdict: **" + md(r.verdict) + "**");
      out.push("- Type: " + md(kind) + "; id: " + md(r.id));
      out.push("- " + m.law + ": " + lawText(rules, r, true));
      out.push("- " + md(verifiedText(rules, r)));
      out.push("", m.reasons + ":", "");
      r.reasons.forEach(function (x) { out.push("- " + rules.marks[x.effect] + " " + md(x.text)); });
      if (r.verdict !== "not available") {
        [[m.requirements, r.establish], [m.procedure, r.procedure]].forEach(function (sec) {
          if (!sec[1].length) return;
          out.push("", sec[0] + ":", "");
          sec[1].forEach(function (pair) { out.push("- " + md(pair[0]) + ": " + md(pair[1])); });
        });
      }
    });
    out.push("", "---", "", md(answer.disclaimer), "");
    return out.join("\n");
  }

  function todayIso() {
    var d = new Date();
    return iso({ y: d.getFullYear(), m: d.getMonth() + 1, d: d.getDate() });
  }

  /* answer(...): what `kbtool screen --format json` prints, for the memo. */
  function answer(remedies, raw, today, jurisdiction, rules) {
    rules = rules || window.KB_SCREENER_RULES;
    var q = normalizeInput(raw, rules);
    return {
      as_of: today,
      jurisdiction: jurisdiction,
      input: q,
      offense_entered: raw.offense === undefined || raw.offense === null || raw.offense === "" ? null : String(raw.offense),
      results: screen(remedies, raw, today, rules),
      disclaimer: rules.disclaimer
    };
  }

  window.KBScreener = {
    screen: screen, today: todayIso, checkInput: checkInput, memo: memo, answer: answer,
    resolveOffense: resolveOffense
  };

  // --- the page -----------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\/[^\s\/@"'<>`]+(\/[^\s"'<>`]*)?$/.test(url) ? url : null;
  }

  var MARKS = { ok: "+", rules_out: "\u2717", time_bars: "\u2717", uncertain: "?", caution: "!" };
  var EFFECT_LABELS = { ok: "met", rules_out: "rules it out", time_bars: "time-barred", uncertain: "unknown", caution: "note" };
  var VERDICT_CLASS = { "likely available": "kb-sc-likely", "possibly available": "kb-sc-possibly", "time-barred": "kb-sc-barred", "not available": "kb-sc-not" };
  var FIELDS = ["jurisdiction", "record", "offense", "offense_date", "convicted", "exited", "age", "trafficking", "immigration_status"];

  function select(name, label, options, blank) {
    var s = el("select", { name: name, id: "kb-sc-" + name });
    if (blank) s.appendChild(el("option", { value: "" }, [blank]));
    options.forEach(function (o) { s.appendChild(el("option", { value: o[0] }, [o[1]])); });
    return el("p", {}, [el("label", { "for": "kb-sc-" + name }, [label]), " ", s]);
  }
  function input(name, label, type, extra) {
    var attrs = { name: name, id: "kb-sc-" + name, type: type };
    Object.keys(extra || {}).forEach(function (k) { attrs[k] = extra[k]; });
    return el("p", {}, [el("label", { "for": "kb-sc-" + name }, [label]), " ", el("input", attrs)]);
  }

  function inWords(r) { return r.reasons.some(function (x) { return x.code === "eligibility_in_words"; }); }

  function resultCard(r, data, n) {
    var card = el("article", { "class": "kb-sc-result " + (VERDICT_CLASS[r.verdict] || ""), "data-id": r.id, id: "kb-sc-r" + n });
    card.appendChild(el("h3", {}, [n + ". " + r.title]));
    card.appendChild(el("p", { "class": "kb-sc-verdict" }, [
      el("span", { "class": "kb-badge kb-sc-badge" }, [r.verdict]), inWords(r) ? el("span", { "class": "kb-sc-star", title: "conditions in words only" }, ["*"]) : null, " ",
      (data.types[r.remedy_type] || r.remedy_type), " \u00b7 ", el("code", {}, [r.id])
    ]));
    if (r.law.length) {
      var lawP = el("p", { "class": "kb-law" }, [el("strong", {}, ["Law: "])]);
      r.law.forEach(function (x, i) {
        if (i) lawP.appendChild(document.createTextNode("; "));
        var url = safeUrl(x.url);
        lawP.appendChild(url ? el("a", { href: url, rel: "noopener" }, [x.citation]) : document.createTextNode(x.citation));
      });
      card.appendChild(lawP);
    }
    var list = el("ul", { "class": "kb-sc-reasons" });
    r.reasons.forEach(function (x) {
      if (x.code === "eligibility_in_words") return;  // said once, under the summary
      list.appendChild(el("li", { "class": "kb-sc-" + x.effect, "data-code": x.code }, [
        el("span", { "class": "kb-sc-mark", title: EFFECT_LABELS[x.effect] || x.effect, "aria-label": EFFECT_LABELS[x.effect] || x.effect }, [MARKS[x.effect] || "-"]),
        " ", x.text
      ]));
    });
    card.appendChild(list);
    [["What must be established", r.establish], ["Where and how to file", r.procedure]].forEach(function (sec) {
      if (!sec[1].length || r.verdict === "not available") return;
      var dl = el("dl", {});
      sec[1].forEach(function (pair) { dl.appendChild(el("dt", {}, [pair[0]])); dl.appendChild(el("dd", {}, [pair[1]])); });
      card.appendChild(el("details", {}, [el("summary", {}, [sec[0]]), dl]));
    });
    var j = null;
    data.jurisdictions.forEach(function (x) { if (x.code === r.jurisdiction) j = x; });
    card.appendChild(el("p", { "class": "kb-verified" }, [
      (r.verification === "unverified"
        ? "Checked " + (r.last_verified || "unknown") + ", not verified against a source. "
        : "Verified " + (r.last_verified || "unknown") + " (" + valueText({ value_labels: {} }, "verification", r.verification) + "). "),
      j ? el("a", { href: "../kb/jurisdictions/" + j.folder + "/" }, ["Full record and sources"]) : null
    ]));
    return card;
  }

  function screenerPage(root) {
    var rules = window.KB_SCREENER_RULES, data = window.KB_SCREENER_DATA;
    if (!rules || !data) { root.textContent = "The screener's data did not load."; return; }
    var params = new URLSearchParams(window.location.search);
    var form = el("form", { id: "kb-sc-form", "class": "kb-sc-form" });
    form.appendChild(select("jurisdiction", "Jurisdiction of the record", data.jurisdictions.map(function (j) { return [j.code, j.name]; })));
    form.appendChild(select("record", "Kind of record", Object.keys(rules.record_kinds).map(function (k) { return [k, rules.record_kinds[k].label]; }), "not given"));
    form.appendChild(select("offense", "Offense", Object.keys(rules.offense_categories).map(function (k) { return [k, rules.offense_categories[k]]; }), "not given"));
    form.appendChild(input("offense_date", "Date of the offense", "date"));
    form.appendChild(input("convicted", "Date of the conviction or disposition", "date"));
    form.appendChild(input("exited", "Date the client left the trafficking situation", "date"));
    form.appendChild(input("age", "Age at the time of the offense", "number", { min: "0", max: "120", step: "1" }));
    form.appendChild(select("trafficking", "Kind of trafficking", Object.keys(rules.trafficking_kinds).filter(function (k) { return k !== "unknown"; }).map(function (k) { return [k, rules.trafficking_kinds[k]]; }), "not given or unknown"));
    form.appendChild(select("immigration_status", "Immigration status", Object.keys(rules.immigration_statuses).filter(function (k) { return k !== "unknown"; }).map(function (k) { return [k, rules.immigration_statuses[k]]; }), "not given or unknown"));
    form.appendChild(el("p", {}, [el("button", { type: "submit", "class": "md-button md-button--primary" }, ["Screen"])]));
    var out = el("div", { id: "kb-sc-results", "aria-live": "polite" });
    root.appendChild(form);
    root.appendChild(out);

    FIELDS.forEach(function (name) {
      var v = params.get(name);
      if (name === "offense" && v !== null) v = resolveOffense(rules, v) || v;
      if (v !== null && form.elements[name]) form.elements[name].value = v;
    });
    var asked = params.get("jurisdiction");
    var known = asked !== null && form.elements.jurisdiction.value === asked;
    if (!form.elements.jurisdiction.value) form.elements.jurisdiction.selectedIndex = 0;
    if (asked !== null && !known) {
      out.appendChild(el("p", { "class": "kb-sc-note" }, ["Unknown jurisdiction code: " + asked + ". Choose one above."]));
    }

    function summaryTable(groups) {
      var body = el("tbody", {});
      groups.forEach(function (g) {
        if (!g.items.length) return;
        body.appendChild(el("tr", { "class": "kb-sc-group-row" }, [el("th", { colspan: "4", scope: "colgroup" }, [g.heading])]));
        g.items.forEach(function (item) {
          var r = item.r;
          body.appendChild(el("tr", { "data-id": r.id }, [
            el("td", {}, [el("a", { href: "#kb-sc-r" + item.n }, [item.n + ". " + r.title])]),
            el("td", {}, [el("span", { "class": "kb-badge kb-sc-badge " + (VERDICT_CLASS[r.verdict] || "") }, [r.verdict]), inWords(r) ? "*" : ""]),
            el("td", {}, [r.deadline_summary || "\u2013"]),
            el("td", {}, [r.law.map(function (x) { return x.citation; }).join("; ") || "\u2013"])
          ]));
        });
      });
      return el("table", { "class": "kb-sc-summary-table" }, [
        el("thead", {}, [el("tr", {}, ["Remedy", "Verdict", "Deadline", "Law"].map(function (h) { return el("th", { scope: "col" }, [h]); }))]),
        body
      ]);
    }

    function download(name, text) {
      var blob = new Blob([text], { type: "text/markdown;charset=utf-8" });
      var a = el("a", { href: URL.createObjectURL(blob), download: name });
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
    }

    function run() {
      var raw = {};
      FIELDS.forEach(function (name) { raw[name] = form.elements[name].value; });
      var today = todayIso();
      out.textContent = "";
      var problems = checkInput(raw, today, rules);
      if (problems.length) {
        var box = el("div", { "class": "kb-sc-errors", role: "alert" }, [el("p", {}, ["Check the dates before screening:"])]);
        var ul = el("ul", {});
        problems.forEach(function (p) { ul.appendChild(el("li", { "data-code": p.code }, [p.text])); });
        box.appendChild(ul);
        out.appendChild(box);
        return;
      }
      var j = null;
      data.jurisdictions.forEach(function (x) { if (x.code === raw.jurisdiction) j = x; });
      var place = j ? j.name : raw.jurisdiction;
      var ans = answer(data.remedies, raw, today, { code: raw.jurisdiction, name: place }, rules);
      var results = ans.results;
      var counts = rules.verdicts.map(function (v) {
        return results.filter(function (r) { return r.verdict === v; }).length + " " + v;
      });
      var groups = [];
      [[place, false], ["Federal remedies (they can apply whatever the state)", true]].forEach(function (g) {
        var items = results.filter(function (r) { return r.federal === g[1]; });
        groups.push({ heading: g[0], items: items.filter(function (r) { return !r.minors_only; }), main: true, federal: g[1] });
        var minors = items.filter(function (r) { return r.minors_only; });
        if (minors.length) groups.push({ heading: (g[1] ? "Federal" : place) + ": only for those under 18 at the time", items: minors });
      });
      var n = 0;
      groups.forEach(function (g) { g.items = g.items.map(function (r) { n += 1; return { r: r, n: n }; }); });
      out.appendChild(el("h2", { id: "results" }, ["Results for " + place]));
      out.appendChild(el("p", { "class": "kb-sc-summary" }, [counts.join(" \u00b7 ") + ". As of " + today + "; data as of " + data.as_of + "."]));
      out.appendChild(summaryTable(groups));
      if (results.some(inWords)) out.appendChild(el("p", { "class": "kb-sc-footnote" }, ["* " + rules.reasons.eligibility_in_words.text]));
      var memoName = "screening-memo-" + raw.jurisdiction.toLowerCase() + "-" + today + ".md";
      var dl = el("button", { type: "button", id: "kb-sc-memo", "class": "md-button" }, ["Download memo (Markdown)"]);
      dl.addEventListener("click", function () { download(memoName, memo(ans, data.types, rules)); });
      var pr = el("button", { type: "button", id: "kb-sc-print", "class": "md-button" }, ["Print"]);
      pr.addEventListener("click", function () {
        Array.prototype.forEach.call(out.querySelectorAll("details"), function (d) { d.open = true; });
        window.print();
      });
      out.appendChild(el("p", { "class": "kb-sc-actions" }, [dl, " ", pr]));
      out.appendChild(el("p", { "class": "kb-sc-key" }, ["Key: + met \u00b7 \u2717 rules it out or time-barred \u00b7 ? unknown \u00b7 ! note"]));
      out.appendChild(el("p", { "class": "kb-sc-disclaimer" }, [rules.disclaimer]));
      groups.forEach(function (g) {
        var none = g.main && !g.federal && !results.some(function (r) { return !r.federal; });
        if (!g.items.length && !none) return;
        out.appendChild(el("h3", { "class": "kb-sc-group" }, [g.heading]));
        if (none) out.appendChild(el("p", {}, ["No remedies recorded yet for this jurisdiction (not researched)."]));
        g.items.forEach(function (item) { out.appendChild(resultCard(item.r, data, item.n)); });
      });
      if (window.location.protocol !== "file:") {
        var url = new URL(window.location.href);
        FIELDS.forEach(function (name) {
          if (raw[name]) url.searchParams.set(name, raw[name]); else url.searchParams.delete(name);
        });
        window.history.replaceState(null, "", url.toString());
      }
    }
    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    if (known) run();
  }

  function init() {
    var root = document.getElementById("kb-screener-app");
    if (root) screenerPage(root);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
