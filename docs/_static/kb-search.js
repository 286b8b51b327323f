/* The site's search page: MiniSearch over the index kb.sphinxext.search writes.
 *
 * Loaded on search.html only, after _static/minisearch.js (the engine, from
 * npm) and _static/kb-search-index.js (window.KB_SEARCH_INDEX: pages,
 * sections, glossary entries, synonym groups). Nothing else is fetched: the
 * snippets are cut from the index's own text.
 *
 * How a query is read:
 * - "quoted words" must appear together, as written (no typo, no synonym);
 * - each other word, or a phrase from a synonym group ("nasal spray"), is one
 *   clause: the word itself, its synonyms (a little lower), one typo allowed
 *   in words of 5 letters or more, and word beginnings ("effect" finds
 *   "effects") from 4 letters;
 * - a page's score adds its clauses' scores (title, summary and headings
 *   count more than the body), times the share of clauses it matches
 *   squared, so pages matching every word come first; one result per page,
 *   its matching sections listed under it.
 */
(() => {
  "use strict";

  const data = window.KB_SEARCH_INDEX;
  const root = document.getElementById("search-results");
  const form = document.getElementById("kb-search-form");
  if (!data || !root || !form || typeof MiniSearch === "undefined") return;

  // Words that carry no meaning in a patient's question ("is ketamine addictive").
  const STOP = new Set(
    ("a an the is are was be been am do does did how what when where which who why " +
      "can could should would will i me my we you your it its of to for in on at by " +
      "and or vs versus with about from as this that there if so any get " +
      "mean means meaning define definition").split(" "),
  );
  const BOOST = { title: 8, summary: 4, heading: 4, text: 1 };
  const KIND_WEIGHT = { article: 1.25, topic: 1.3, term: 1, page: 0.9, site: 0.6 };
  const TOPIC_UNNAMED = 0.9;
  // A glossary entry is short, so it scores high on any word it holds: it
  // comes first only when the query names it (one word: "REMS"; or asks
  // "what is off-label"), else after the pages that use the words.
  const TERM_WEIGHT_NAMED = 3;
  const TERM_WEIGHT_PASSING = 0.05;
  const DEFINITIONAL = /\b(what|meaning|means?|define|definition|stands? for)\b/i;
  const KIND_LABEL = {
    article: "Article",
    topic: "Topic",
    term: "Glossary",
    page: "Page",
    site: "About this site",
  };
  // Less length normalisation than MiniSearch's default (b = 0.7): a short
  // glossary entry or topic blurb should not beat an article on one word.
  const BM25 = { k: 1.2, b: 0.4, d: 0.5 };
  const SYNONYM_WEIGHT = 0.6;
  const SYNONYM_IN_TITLE = 1;
  const SNIPPET_WORDS = 28;
  const MAX_SECTIONS = 3;
  const PAGE_SIZE = 20;

  const words = (text) =>
    text
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .split(/[^a-z0-9]+/)
      .filter(Boolean);

  // Plurals only: "effects" -> "effect", "thoughts" -> "thought".
  function stem(word) {
    if (word.length <= 3 || /\d/.test(word)) return word;
    if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
    if (/(ss|us|is|ous)$/.test(word)) return word;
    if (word.endsWith("s")) return word.slice(0, -1);
    return word;
  }
  const processTerm = (term) => (STOP.has(term) ? null : stem(term));

  // -- The index --------------------------------------------------------------------

  const indexStarted = performance.now();
  const engine = new MiniSearch({
    fields: ["title", "summary", "heading", "text"],
    storeFields: [],
    tokenize: words,
    processTerm,
  });
  const docs = data.docs.map(([p, anchor, heading, text], id) => {
    const page = data.pages[p];
    const top = anchor === "";
    return {
      id,
      p,
      anchor,
      heading: top ? "" : heading,
      title: top ? (page.k === "term" ? heading : page.t) : "",
      summary: top ? page.s || "" : "",
      text,
    };
  });
  engine.addAll(docs);
  const indexMs = performance.now() - indexStarted;

  // Synonym groups, each word or phrase as its list of processed terms.
  const groups = data.synonyms.map((group) => group.map((w) => words(w).map(stem)));

  // -- Reading the query ---------------------------------------------------------------

  function parse(query) {
    const phrases = [];
    const rest = query.replace(/["\u201c\u201d]([^"\u201c\u201d]+)["\u201c\u201d]/g, (_, p) => {
      const tokens = words(p).map(stem);
      if (tokens.length) phrases.push(tokens);
      return " ";
    });
    const raw = words(rest);
    const tokens = raw.map(stem);
    const clauses = phrases.map((t) => ({ label: t.join(" "), alts: [t], phrase: t }));
    for (let i = 0; i < tokens.length; ) {
      let best = null;
      for (const group of groups) {
        for (const form of group) {
          const fits = form.length && form.every((t, j) => tokens[i + j] === t);
          if (fits && (!best || form.length > best.form.length)) best = { form, group };
        }
      }
      if (best) {
        const alts = [best.form, ...best.group.filter((f) => f !== best.form)];
        clauses.push({ label: best.form.join(" "), alts, phrase: null });
        i += best.form.length;
      } else {
        if (!STOP.has(raw[i])) {
          clauses.push({ label: tokens[i], alts: [[tokens[i]]], phrase: null });
        }
        i += 1;
      }
    }
    return clauses;
  }

  // One typo from 5 letters; two from 9 ("remmision") for a word the site
  // does not have (so "esketamine" never finds "ketamine"); none in numbers.
  const knownTerms = new Map();
  const known = (term) => {
    if (!knownTerms.has(term)) {
      knownTerms.set(term, engine.search(term, { fuzzy: false, prefix: false }).length > 0);
    }
    return knownTerms.get(term);
  };
  const fuzzy = (term) => {
    if (/\d/.test(term) || term.length < 5) return false;
    return term.length >= 9 && !known(term) ? 2 : 1;
  };
  const prefix = (term) => term.length >= 4 && !/\d/.test(term);

  function subquery(tokens) {
    return tokens.length === 1 ? tokens[0] : { combineWith: "AND", queries: tokens };
  }

  // Text of a document as one string of processed terms, for phrases.
  const flat = (doc) =>
    ` ${words([doc.title, doc.summary, doc.heading, doc.text].join(" ")).map(stem).join(" ")} `;

  /** Map docId -> {score, terms} for one clause. */
  function runClause(clause) {
    const found = new Map();
    const add = (results, weight, original) => {
      for (const r of results) {
        const score = r.score * weight;
        const fields = new Set(Object.values(r.match).flat());
        const seen = found.get(r.id);
        const inTitle = fields.has("title") ? (original ? 1 : SYNONYM_IN_TITLE) : 0;
        const strong = ["title", "summary", "heading"].some((f) => fields.has(f));
        if (!seen || seen.score < score) {
          found.set(r.id, {
            score,
            terms: r.terms,
            inTitle: Math.max(inTitle, seen ? seen.inTitle : 0),
            strong: strong || (seen ? seen.strong : false),
          });
        } else {
          seen.inTitle = Math.max(seen.inTitle, inTitle);
          seen.strong ||= strong;
        }
      }
    };
    const exact = !!clause.phrase;
    const options = {
      boost: BOOST,
      bm25: BM25,
      fuzzy: exact ? false : fuzzy,
      prefix: exact ? false : prefix,
      combineWith: "OR",
    };
    add(engine.search(subquery(clause.alts[0]), options), 1, true);
    if (clause.alts.length > 1) {
      const others = { combineWith: "OR", queries: clause.alts.slice(1).map(subquery) };
      add(engine.search(others, { ...options, fuzzy: false }), SYNONYM_WEIGHT, false);
    }
    if (exact) {
      const needle = ` ${clause.phrase.join(" ")} `;
      for (const id of [...found.keys()]) {
        if (!flat(docs[id]).includes(needle)) found.delete(id);
      }
    }
    return found;
  }

  // A glossary entry's terms ("TRD", "Treatment-resistant depression"), as processed terms.
  const termFormsCache = new Map();
  function termForms(page) {
    if (!termFormsCache.has(page)) {
      const heading = docs.find((d) => data.pages[d.p] === page).title;
      termFormsCache.set(page, heading.split(", ").map((t) => words(t).filter((w) => !STOP.has(w)).map(stem).join(" ")));
    }
    return termFormsCache.get(page);
  }

  function matchesFilters(page, filters) {
    if (filters.topic && !(page.to || []).includes(filters.topic)) return false;
    if (filters.audience && page.a !== filters.audience) return false;
    if (filters.evidence && page.e !== filters.evidence) return false;
    return true;
  }

  /** The ranked pages: [{page, score, sections: [{doc, score, terms}]}]. */
  function search(query, filters) {
    const clauses = parse(query);
    // The words of the query, as a glossary term would be written.
    const asked = clauses.flatMap((c) => c.alts[0]).join(" ");
    const asksForTerm =
      DEFINITIONAL.test(query) ||
      (clauses.length === 1 && !clauses[0].phrase && clauses[0].alts[0].length === 1);
    if (!clauses.length) return { clauses, results: [] };
    const perPage = new Map();
    clauses.forEach((clause, c) => {
      const bestDocOfPage = new Map();
      for (const [id, hit] of runClause(clause)) {
        const doc = docs[id];
        let entry = perPage.get(doc.p);
        if (!entry) {
          const none = () => new Array(clauses.length).fill(0);
          entry = { p: doc.p, clauseScores: none(), inTitle: none(), strong: none(), docs: new Map() };
          perPage.set(doc.p, entry);
        }
        const d = entry.docs.get(id) || { doc, score: 0, terms: new Set() };
        d.score += hit.score;
        for (const t of hit.terms) d.terms.add(t);
        entry.docs.set(id, d);
        entry.inTitle[c] = Math.max(entry.inTitle[c], hit.inTitle);
        if (hit.strong) entry.strong[c] = 1;
        // A page's score for a clause: its best section, plus a little for the others.
        const best = bestDocOfPage.get(doc.p) || 0;
        entry.clauseScores[c] += best ? Math.min(best, hit.score) * 0.15 : 0;
        if (hit.score > best) {
          entry.clauseScores[c] += hit.score - best;
          bestDocOfPage.set(doc.p, hit.score);
        }
      }
    });
    const required = clauses.filter((c) => c.phrase).map((c) => clauses.indexOf(c));
    const results = [];
    for (const entry of perPage.values()) {
      const page = data.pages[entry.p];
      if (!matchesFilters(page, filters)) continue;
      if (required.some((c) => entry.clauseScores[c] === 0)) continue;
      const matched = entry.clauseScores.filter((s) => s > 0).length;
      const coverage = matched / clauses.length;
      const total = entry.clauseScores.reduce((a, b) => a + b, 0);
      // A word in the title, the summary or a heading outranks words in passing
      // (a glossary entry is all title: it gets no such bonus).
      const share = (flags) => flags.reduce((a, b) => a + b, 0) / clauses.length;
      let placed = (1 + share(entry.inTitle)) * (1 + 0.5 * share(entry.strong));
      if (page.k === "term") {
        const named = asksForTerm && termForms(page).includes(asked);
        placed = named ? TERM_WEIGHT_NAMED : TERM_WEIGHT_PASSING;
      }
      // A topic page is a list of articles: the best landing when the reader
      // names the topic, else the articles that hold the words come first.
      let kind = KIND_WEIGHT[page.k] || 1;
      if (page.k === "topic" && !entry.inTitle.some((t) => t > 0)) kind = TOPIC_UNNAMED;
      const score = total * coverage * coverage * placed * kind;
      const sections = [...entry.docs.values()].sort((a, b) => b.score - a.score);
      results.push({ page, score, sections, coverage });
    }
    results.sort(
      (a, b) =>
        b.score - a.score ||
        (KIND_WEIGHT[b.page.k] || 1) - (KIND_WEIGHT[a.page.k] || 1) ||
        b.sections.length - a.sections.length,
    );
    return { clauses, results };
  }

  // -- Snippets -------------------------------------------------------------------------

  /** Whether a word of the text is one the query matched. */
  function matcher(terms) {
    const list = [...terms];
    return (word) => {
      const t = stem(word.toLowerCase());
      return list.some((m) => t === m || (m.length >= 4 && t.startsWith(m)));
    };
  }

  /** Nodes for a snippet of `text` around its first matched word, cut at word boundaries. */
  function snippet(text, terms) {
    const tokens = text.split(/(\s+)/).filter((t) => t !== "");
    const isMatch = matcher(terms);
    const wordIndexes = [];
    tokens.forEach((t, i) => {
      if (!/^\s+$/.test(t)) wordIndexes.push(i);
    });
    const first = wordIndexes.findIndex((i) =>
      tokens[i].split(/[^\p{L}\p{N}]+/u).some((w) => w && isMatch(w)),
    );
    let start = Math.max(0, (first < 0 ? 0 : first) - 8);
    if (start > 0 && wordIndexes.length - start < SNIPPET_WORDS) {
      start = Math.max(0, wordIndexes.length - SNIPPET_WORDS);
    }
    const end = Math.min(wordIndexes.length, start + SNIPPET_WORDS);
    const out = document.createDocumentFragment();
    if (start > 0) out.append("\u2026 ");
    const from = wordIndexes[start];
    const to = wordIndexes[end - 1];
    for (let i = from; i <= to; i += 1) {
      const token = tokens[i];
      // Mark matched words; keep punctuation around them as plain text.
      for (const piece of token.split(/([\p{L}\p{N}]+)/u)) {
        if (!piece) continue;
        if (/[\p{L}\p{N}]/u.test(piece) && isMatch(piece)) {
          const mark = document.createElement("mark");
          mark.textContent = piece;
          out.append(mark);
        } else {
          out.append(piece);
        }
      }
    }
    if (end < wordIndexes.length) out.append(" \u2026");
    return out;
  }

  // -- Rendering --------------------------------------------------------------------------

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    node.append(...children);
    return node;
  };

  function pageLink(page, anchor, text) {
    const href = anchor ? `${page.u.split("#")[0]}#${anchor}` : page.u;
    return el("a", { href }, text);
  }

  function describe(page) {
    const bits = [KIND_LABEL[page.k] || ""];
    if (page.a) bits.push(data.audiences[page.a]);
    if (page.e) bits.push(data.evidence[page.e]);
    return bits.filter(Boolean).join(" \u00b7 ");
  }

  function renderResult(result) {
    const { page, sections } = result;
    const item = el("li", { class: `kb-result kb-result--${page.k}` });
    item.append(el("p", { class: "kb-result-kind" }, describe(page)));
    const top = sections[0];
    if (page.k === "term") {
      const definition = top.doc.text;
      item.append(
        el(
          "p",
          { class: "kb-result-term" },
          el("a", { href: page.u, class: "kb-result-title" }, page.t),
          `: ${definition}`,
        ),
      );
      return item;
    }
    item.append(el("h2", { class: "kb-result-heading" }, pageLink(page, "", page.t)));
    // The snippet comes from where the page matched best (its top: the summary too).
    const lead = page.s && !top.doc.text.includes(page.s) ? `${page.s} ` : "";
    const text = top.doc.anchor === "" ? lead + top.doc.text : top.doc.text;
    item.append(el("p", { class: "kb-result-snippet" }, snippet(text, top.terms)));
    const subs = sections.filter((s) => s.doc.anchor && s.doc.heading && s !== top).slice(0, MAX_SECTIONS);
    if (top.doc.anchor && top.doc.heading) subs.unshift(top);
    if (subs.length) {
      const list = el("ul", { class: "kb-subresults", "aria-label": `Sections of ${page.t}` });
      for (const s of subs.slice(0, MAX_SECTIONS)) {
        const li = el("li", {}, pageLink(page, s.doc.anchor, s.doc.heading));
        if (s !== top) li.append(el("span", { class: "kb-subresult-snippet" }, snippet(s.doc.text, s.terms)));
        list.append(li);
      }
      item.append(list);
    }
    return item;
  }

  /** Words of the index close to a word of the query, for "Did you mean". */
  function suggestions(query) {
    const found = engine.autoSuggest(query, { fuzzy: 0.34, prefix: true, boost: BOOST });
    return found.slice(0, 3).map((s) => s.suggestion);
  }

  function renderNothing(query) {
    const box = el("div", { class: "kb-search-none" });
    const tips = el("ul", {});
    const spelled = suggestions(query);
    if (spelled.length) {
      const li = el("li", {}, "Did you mean ");
      spelled.forEach((s, i) => {
        if (i) li.append(i === spelled.length - 1 ? " or " : ", ");
        const url = new URL(window.location.href);
        url.searchParams.set("q", s);
        li.append(el("a", { href: url.pathname + url.search }, s));
      });
      li.append("?");
      tips.append(li);
    }
    tips.append(el("li", {}, "Check the spelling, or try fewer or simpler words."));
    if (data.glossary) {
      tips.append(
        el("li", {}, "Look the word up in the ", el("a", { href: data.glossary }, "glossary, A to Z"), "."),
      );
    }
    box.append(tips);
    const topics = Object.entries(data.topics);
    if (topics.length) {
      box.append(el("p", {}, "Or browse a topic:"));
      const list = el("ul", { class: "kb-search-topics" });
      for (const [slug, label] of topics) {
        const page = data.pages.find((p) => p.k === "topic" && (p.to || [])[0] === slug);
        if (page) list.append(el("li", {}, el("a", { href: page.u }, label)));
      }
      box.append(list);
    }
    return box;
  }

  // A query about suicide or a crisis gets the crisis notice first.
  const crisisWords = (data.crisis && data.crisis.words) || [];
  function isCrisis(query) {
    const text = ` ${words(query).join(" ")} `;
    return crisisWords.some((w) => text.includes(` ${words(w).join(" ")} `));
  }

  function crisisNotice() {
    const box = el("div", { class: "kb-search-crisis", role: "note" });
    const text = el("p", {}, el("strong", {}, data.crisis.lead), " ");
    // "988" dials on a phone, as in the banner.
    const [before, ...after] = data.crisis.text.split("988");
    text.append(before);
    if (after.length) text.append(el("a", { href: "tel:988" }, "988"), after.join("988"));
    box.append(text);
    return box;
  }

  function readFilters(params) {
    const filters = {};
    for (const name of ["topic", "audience", "evidence"]) {
      const value = params.get(name) || "";
      const select = form.elements.namedItem(name);
      if (select && value && [...select.options].some((o) => o.value === value)) {
        select.value = value;
        filters[name] = value;
      }
    }
    return filters;
  }

  function run() {
    const started = performance.now();
    const params = new URLSearchParams(window.location.search);
    const query = (params.get("q") || "").trim();
    const input = form.elements.namedItem("q");
    input.value = query;
    const filters = readFilters(params);
    root.replaceChildren();
    if (!query) {
      root.append(el("p", { role: "status" }, "Type a word or a question above, then press Search."));
      return;
    }
    const { results } = search(query, filters);
    const count = results.length;
    const filtered = Object.keys(filters).length ? " (with the filters chosen)" : "";
    const status = el(
      "p",
      { class: "kb-search-count", role: "status" },
      count
        ? `${count} ${count === 1 ? "result" : "results"} for \u201c${query}\u201d${filtered}`
        : `No results for \u201c${query}\u201d${filtered}`,
    );
    root.append(status);
    if (isCrisis(query)) root.append(crisisNotice());
    if (count) {
      const list = el("ol", { class: "kb-results" });
      root.append(list);
      // Drawn a page at a time: at 1,000 articles a common word matches them all.
      let shown = 0;
      const more = el("button", { type: "button", class: "kb-search-more" });
      const showMore = () => {
        const next = results.slice(shown, shown + PAGE_SIZE);
        for (const result of next) list.append(renderResult(result));
        if (shown) list.children[shown].querySelector("a").focus();
        shown += next.length;
        more.textContent = `Show more results (${count - shown} left)`;
        more.hidden = shown >= count;
      };
      more.addEventListener("click", showMore);
      showMore();
      root.append(more);
    } else {
      root.append(renderNothing(query));
    }
    document.title = `${query} - ${document.title.replace(/^.* - (?=.* - )/, "")}`;
    // For `kb bench` (kb.searchcost): building the index, then this query.
    const timing = document.documentElement.dataset;
    timing.kbSearchIndexMs = indexMs.toFixed(1);
    timing.kbSearchMs = (performance.now() - started).toFixed(1);
    timing.kbSearchReadyMs = performance.now().toFixed(1);
  }

  // Exposed for the tests and `kb bench`: the ranked page URLs for a query.
  window.kbSearch = (query, filters = {}) => search(query, filters).results.map((r) => r.page.u);
  window.kbSearchScores = (query) =>
    search(query, {}).results.map((r) => `${r.page.u} ${r.score.toFixed(2)}`);

  // Filters apply as soon as they change (a phone has no Enter key to hand).
  for (const name of ["topic", "audience", "evidence"]) {
    const select = form.elements.namedItem(name);
    if (select) select.addEventListener("change", () => form.requestSubmit());
  }
  run();
})();
