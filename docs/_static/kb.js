/* The knowledge base's own script, loaded on every page from the site itself.
 *
 * Glossary tooltips (built into the pages by kb.sphinxext.glossary_links) are
 * shown by CSS on hover and keyboard focus, and read to screen-reader users
 * through aria-describedby; this script only adds what CSS cannot:
 * - Escape hides the tooltip that is open, until the term is hovered or
 *   focused again (WCAG 1.4.13, content on hover or focus);
 * - an open tooltip is moved left when it would leave the window.
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

  function setUp() {
    for (const term of document.querySelectorAll(".kb-term")) {
      term.addEventListener("mouseenter", open);
      term.addEventListener("focusin", open);
    }
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      for (const term of document.querySelectorAll(".kb-term:hover, .kb-term:focus-within")) {
        term.classList.add("kb-term--dismissed");
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
