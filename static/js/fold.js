// Filter panels are folded (<details>) so that on a phone the results come first; on a wide screen,
// where they sit beside the results, they open. Without this script they open with a tap.
if (window.matchMedia("(min-width: 960px)").matches) {
  document.querySelectorAll("details[data-open-wide]").forEach((panel) => { panel.open = true; });
}
