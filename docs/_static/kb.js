/* The knowledge base's own script, loaded on every page from the site itself.
 *
 * Glossary tooltips (built into the pages by kb.sphinxext.glossary_links) are
 * shown by CSS on hover and keyboard focus, and read to screen-reader users
 * through aria-describedby; this script adds what CSS cannot:
 * - Escape hides the tooltip that is open, until the term is hovered or
 *   focused again (WCAG 1.4.13, content on hover or focus);
 * - an open tooltip is moved left when it would leave the window;
 * - on a touch screen, the first tap on a term shows its definition in a
 *   popover, with a link to the glossary entry; a second tap follows the link.
 *
 * Citations (kb.sphinxext.citations) show which source they are in the same
 * popover, on hover, keyboard focus and tap, without leaving the page; the
 * popover links to the reference list. Escape or a tap elsewhere closes it.
 *
 * On paper, links print where they go (absolute, from the page's canonical
 * address): each gets data-kb-print-href, which the print stylesheet shows.
 */
(() => {
  "use strict";

  const MARGIN = 8; // px kept between a tooltip and the window's edge

  function place(term) {
    const tooltip = term.querySelector(":scope > .kb-tooltip");
    if (!tooltip) return;
    tooltip.style.left = "";
    const box = tooltip.getBoundingClientRect();
    if (box.width === 0) return; // not shown
    const limit = document.documentElement.clientWidth - MARGIN;
    let shift = 0;
    if (box.right > limit) shift = limit - box.right;
    if (box.left + shift < MARGIN) shift = MARGIN - box.left;
    if (shift) tooltip.style.left = `${shift}px`;
  }

  function open(event) {
    const term = event.currentTarget;
    term.classList.remove("kb-term--dismissed");
    place(term);
  }

  // -- The popover: a citation's source, or a term's definition on a touch screen --

  let popover = null;
  let popoverText = null;
  let popoverLink = null;
  let owner = null; // the link the popover is open for
  let openedByTap = false; // a second tap on that link then follows it
  let hideTimer = 0;

  function makePopover() {
    popover = document.createElement("div");
    popover.className = "kb-popover";
    popover.id = "kb-popover";
    popover.hidden = true;
    popoverText = document.createElement("p");
    popoverText.id = "kb-popover-text";
    popoverText.className = "kb-popover-text";
    popoverLink = document.createElement("a");
    popoverLink.className = "kb-popover-link";
    popover.append(popoverText, popoverLink);
    popover.addEventListener("mouseenter", () => clearTimeout(hideTimer));
    popover.addEventListener("mouseleave", () => hideSoon());
    // Inside the main landmark, where its content belongs (axe: region).
    (document.querySelector("[role=main], main") || document.body).append(popover);
  }

  function show(link, text, linkText, byTap = false) {
    if (!popover) makePopover();
    openedByTap = byTap;
    clearTimeout(hideTimer);
    if (owner && owner !== link) owner.removeAttribute("aria-describedby");
    owner = link;
    popoverText.textContent = text;
    popoverLink.textContent = linkText;
    popoverLink.href = link.href;
    popover.hidden = false;
    link.setAttribute("aria-describedby", popoverText.id);
    link.setAttribute("aria-expanded", "true");
    // Below the link, inside the window.
    const box = link.getBoundingClientRect();
    const width = Math.min(352, document.documentElement.clientWidth - 2 * MARGIN);
    popover.style.width = `${width}px`;
    let left = box.left + window.scrollX;
    const maxLeft = window.scrollX + document.documentElement.clientWidth - MARGIN - width;
    left = Math.max(window.scrollX + MARGIN, Math.min(left, maxLeft));
    // Absolute from its offset parent (the page, or a positioned ancestor).
    const parent = popover.offsetParent || document.body;
    const origin = parent.getBoundingClientRect();
    const fromPage = { x: origin.left + window.scrollX, y: origin.top + window.scrollY };
    const isBody = parent === document.body || parent === document.documentElement;
    popover.style.left = `${left - (isBody ? 0 : fromPage.x)}px`;
    popover.style.top = `${box.bottom + window.scrollY + 4 - (isBody ? 0 : fromPage.y)}px`;
  }

  function hide() {
    clearTimeout(hideTimer);
    if (!popover || popover.hidden) return;
    popover.hidden = true;
    if (owner) {
      owner.setAttribute("aria-expanded", "false");
      if (owner.matches(".kb-cite")) owner.removeAttribute("aria-describedby");
      else owner.setAttribute("aria-describedby", owner.dataset.kbTip);
    }
    owner = null;
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 300);
  }

  // A tap is a click that follows a touch: remembered from the pointer event.
  let lastPointer = "mouse";
  document.addEventListener("pointerdown", (event) => {
    lastPointer = event.pointerType;
    const inside = popover && (popover.contains(event.target) || owner?.contains(event.target));
    if (popover && !popover.hidden && !inside) {
      hide();
    }
  });

  function citationText(link) {
    return link.dataset.kbSource || "";
  }

  function setUpCitations() {
    for (const link of document.querySelectorAll("a.kb-cite")) {
      const source = link.getAttribute("title");
      if (!source) continue;
      // The title is kept only as data: a preview reaches keyboard and touch too.
      link.dataset.kbSource = source;
      link.removeAttribute("title");
      link.setAttribute("aria-expanded", "false");
      link.setAttribute("aria-label", `Source ${link.textContent.trim()}`);
      link.addEventListener("mouseenter", () => show(link, citationText(link), "Go to the reference list"));
      link.addEventListener("mouseleave", hideSoon);
      link.addEventListener("focus", () => show(link, citationText(link), "Go to the reference list"));
      link.addEventListener("blur", () => {
        if (!popover || !popover.contains(document.activeElement)) hideSoon();
      });
      link.addEventListener("click", (event) => {
        if (lastPointer !== "touch") return;
        if (owner === link && openedByTap && !popover.hidden) return; // second tap: follow it
        event.preventDefault();
        show(link, citationText(link), "Go to the reference list", true);
      });
    }
  }

  function setUpTerms() {
    for (const term of document.querySelectorAll(".kb-term")) {
      term.addEventListener("mouseenter", open);
      term.addEventListener("focusin", open);
      const link = term.querySelector(":scope > a");
      const tip = term.querySelector(":scope > .kb-tooltip");
      if (!link || !tip) continue;
      link.dataset.kbTip = tip.id;
      link.addEventListener("click", (event) => {
        if (lastPointer !== "touch") return;
        if (owner === link && openedByTap && !popover.hidden) return; // second tap: the glossary
        event.preventDefault();
        term.classList.add("kb-term--dismissed"); // the popover replaces the tooltip
        const name = link.textContent.trim();
        show(link, tip.textContent, `Read \u201c${name}\u201d in the glossary`, true);
      });
    }
  }

  function setUpPrintedLinks() {
    const canonical = document.querySelector("link[rel=canonical]");
    const base = canonical ? canonical.href : window.location.href;
    const address = document.querySelector(".kb-print-url");
    if (address && !address.textContent.trim()) {
      address.textContent = window.location.href.split("#")[0];
    }
    for (const link of document.querySelectorAll(".article-container article a[href]")) {
      const href = link.getAttribute("href");
      if (!href || href.startsWith("#") || /^(tel|mailto):/.test(href)) continue;
      if (link.closest(".kb-term, .bibtex-citation, .headerlink, .toctree-wrapper")) continue;
      if (link.classList.contains("headerlink")) continue;
      const absolute = new URL(href, base).href;
      if (link.textContent.trim() === absolute) continue;
      link.dataset.kbPrintHref = absolute;
    }
  }

  function setUp() {
    setUpTerms();
    setUpCitations();
    setUpPrintedLinks();
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      for (const term of document.querySelectorAll(".kb-term:hover, .kb-term:focus-within")) {
        term.classList.add("kb-term--dismissed");
      }
      hide();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
