// Ward picker: fills a datalist with the wards of the chosen province (data-wards-of names the
// province select). Without this script the ward is typed and checked by the server.
document.querySelectorAll("input[data-wards-of]").forEach((input) => {
  const province = document.getElementById(input.dataset.wardsOf);
  const list = document.createElement("datalist");
  list.id = `${input.id}-options`;
  input.setAttribute("list", list.id);
  input.after(list);
  const load = async () => {
    if (!province.value) {  // no province chosen yet: nothing to offer
      list.replaceChildren();
      return;
    }
    try {
      const response = await fetch(input.dataset.wardsUrl.replace("{province}", encodeURIComponent(province.value)));
      if (!response.ok) return;
      const { items } = await response.json();
      list.replaceChildren(...items.map((ward) => {
        const option = document.createElement("option");
        option.value = ward.name;
        return option;
      }));
    } catch (error) {
      // offline: the ward can still be typed
    }
  };
  province.addEventListener("change", load);
  load();
});
