/* optguide figures: a figure shown smaller than it was drawn opens at full size when tapped or
 * clicked (a link to the image itself, reachable by keyboard, named for screen readers). */
(() => {
  const enlargeable = img => {
    // Already a link, an animation's frame, or an image with no file of its own: left alone.
    if (img.closest("a, .animation") || (img.currentSrc || img.src).startsWith("data:")) return;
    const link = document.createElement("a");
    link.href = img.currentSrc || img.src;
    link.target = "_blank";
    link.rel = "noopener";
    link.className = "optguide-figure-link";
    const what = (img.alt || "").trim();
    link.setAttribute("aria-label", "Open the figure at full size" + (what ? `: ${what}` : ""));
    img.replaceWith(link);
    link.appendChild(img);
  };

  const run = () => document.querySelectorAll("article.bd-article img").forEach(enlargeable);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
