/* optguide accessibility: names for the controls that the theme, sphinx-gallery and
 * matplotlib's animations leave unnamed, so that a screen reader says what each one does.
 *
 * - the sidebar's expanders (<summary> with only an icon): "Show the pages under <section>";
 * - a gallery card's link (its text is hidden; the card is the link): the example's title;
 * - an animation's frame image and its slider: what they show and move;
 * - a table wider than the column scrolls sideways in its own box: it joins the tab order so
 *   that a keyboard can scroll it (checked again when the window is resized). */
(() => {
  const text = element => (element ? element.textContent.replace(/\s+/g, " ").trim() : "");

  const name = () => {
    document.querySelectorAll(".bd-sidenav details > summary").forEach(summary => {
      if (text(summary) || summary.hasAttribute("aria-label")) return;
      const section = text(summary.closest("li")?.querySelector(":scope > a"));
      summary.setAttribute("aria-label", section ? `Show the pages under ${section}`
                                                 : "Show the pages of this section");
    });
    document.querySelectorAll(".sphx-glr-thumbcontainer a").forEach(link => {
      if (link.hasAttribute("aria-label")) return;
      const card = link.closest(".sphx-glr-thumbcontainer");
      const title = text(card.querySelector(".sphx-glr-thumbnail-title")) || text(link)
        || card.getAttribute("tooltip") || "";
      if (title) link.setAttribute("aria-label", title);
    });
    document.querySelectorAll(".animation").forEach(animation => {
      const caption = text(animation.closest("figure, div.section, section")?.querySelector(
        "h1, h2, h3")) || "the animation";
      animation.querySelectorAll("img").forEach(img => {
        if (!img.hasAttribute("alt")) img.setAttribute("alt", `Animation frame: ${caption}`);
      });
      animation.querySelectorAll("input[type=range]").forEach(slider => {
        if (!slider.hasAttribute("aria-label")) slider.setAttribute("aria-label", "Frame");
      });
      animation.querySelectorAll("button").forEach(button => {
        if (!text(button) && !button.hasAttribute("aria-label")) {
          const title = button.getAttribute("title");
          if (title) button.setAttribute("aria-label", title);
        }
      });
    });
  };

  const reachable = () => {
    document.querySelectorAll("article.bd-article table").forEach(table => {
      if (table.scrollWidth > table.clientWidth + 1 && !table.hasAttribute("tabindex")) {
        table.setAttribute("tabindex", "0");
      }
    });
  };

  const start = () => { name(); reachable(); };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.addEventListener("resize", reachable);
})();
