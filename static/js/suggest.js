// Suggestions while typing, for any search box with data-suggest (the API's /suggest address).
// Progressive enhancement: without this script the search box works as a plain form.
document.querySelectorAll("input[data-suggest]").forEach((input) => {
  const list = document.createElement("datalist");
  list.id = `${input.id}-suggestions`;
  input.setAttribute("list", list.id);
  input.after(list);
  const english = document.documentElement.lang === "en";
  let timer;
  let asked = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const q = input.value.trim();
      if (q.length < 2 || q === asked) return;
      asked = q;
      try {
        const response = await fetch(`${input.dataset.suggest}?q=${encodeURIComponent(q)}`);
        if (!response.ok) return;
        const { items } = await response.json();
        list.replaceChildren(...items.map((item) => {
          const option = document.createElement("option");
          option.value = (english && item.name_en) || item.name;
          return option;
        }));
      } catch (error) {
        // offline or the server is busy: typing and searching still work
      }
    }, 150);
  });
});
