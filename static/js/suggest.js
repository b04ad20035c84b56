// Suggestions while typing, for any search box with data-suggest (the API's /suggest address): a list box
// under the box (the ARIA combobox pattern), showing what the shop found, accents or not: "tra shan" finds
// "Hồng trà Shan Tuyết" (a browser's own <datalist> hides every option that does not contain the typed
// letters as they are). Arrow keys move through the list, Enter opens the product, Escape closes the list;
// Enter without a chosen suggestion searches as before.
// Progressive enhancement: without this script the search box works as a plain form.
document.querySelectorAll("input[data-suggest]").forEach((input) => {
  const list = document.createElement("ul");
  list.id = `${input.id}-suggestions`;
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", input.labels && input.labels[0] ? input.labels[0].textContent : "");
  list.hidden = true;
  input.after(list);
  input.parentElement.classList.add("has-suggestions");
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");
  const english = document.documentElement.lang === "en";
  let timer;
  let asked = "";
  let active = -1;

  const options = () => Array.from(list.children);
  const show = (open) => {
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) choose(-1);
  };
  const choose = (index) => {
    options().forEach((option, n) => option.setAttribute("aria-selected", n === index ? "true" : "false"));
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options()[index].id);
      options()[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };
  const open = (option) => { window.location.href = option.dataset.url; };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      if (q.length < 2) { show(false); return; }
      if (q === asked) return;
      asked = q;
      try {
        const response = await fetch(`${input.dataset.suggest}?q=${encodeURIComponent(q)}`);
        if (!response.ok) return;
        const { items } = await response.json();
        if (input.value.trim() !== q) return; // typed on meanwhile: a newer answer follows
        list.replaceChildren(...items.map((item, n) => {
          const option = document.createElement("li");
          option.id = `${list.id}-${n}`;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.dataset.url = item.url;
          option.textContent = (english && item.name_en) || item.name;
          option.addEventListener("mousedown", (event) => { event.preventDefault(); open(option); });
          return option;
        }));
        active = -1;
        show(items.length > 0);
      } catch (error) {
        // offline or the server is busy: typing and searching still work
      }
    }, 150);
  });

  input.addEventListener("keydown", (event) => {
    const count = options().length;
    if (event.key === "ArrowDown" && count) {
      event.preventDefault();
      show(true);
      choose((active + 1) % count);
    } else if (event.key === "ArrowUp" && count) {
      event.preventDefault();
      show(true);
      choose(active <= 0 ? count - 1 : active - 1);
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      open(options()[active]);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      show(false);
    }
  });
  input.addEventListener("blur", () => show(false));
  input.addEventListener("focus", () => { if (options().length && input.value.trim() === asked) show(true); });
});
