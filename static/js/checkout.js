// Checkout, live: the delivery fee and the total for the way of receiving the order and the province
// chosen, and only the ways to pay that fit it (cash on delivery by post, pay at the point for a pickup).
// Without this script the page works the same: "See the total" shows them, and the server checks every
// choice; the address section is hidden for a pickup by the style sheet alone.
const form = document.querySelector("form[data-estimate-url]");
if (form) {
  const estimate = document.getElementById("estimate");
  const submit = form.querySelector("button[data-review-label]");
  const LIVE = ["delivery", "province", "gift_wrap"];

  const fitPayment = () => {
    const pickup = (form.querySelector("input[name=delivery]:checked")?.value || "").startsWith("point-");
    const options = [...form.querySelectorAll("input[name=payment]")];
    options.forEach((option) => {
      const fits = option.value === "cod" ? !pickup : option.value === "at_point" ? pickup : true;
      option.disabled = !fits;
      option.closest("label").hidden = !fits;
      if (!fits) option.checked = false;
    });
    if (!options.some((option) => option.checked)) {
      const first = options.find((option) => !option.disabled);
      if (first) first.checked = true;
    }
  };

  const showEstimate = async () => {
    try {
      const response = await fetch(form.dataset.estimateUrl, { method: "POST", body: new FormData(form) });
      if (!response.ok) return;
      const answer = await response.json();
      estimate.textContent = answer.text;
      estimate.hidden = false;
    } catch (error) {
      // offline: "See the total" still works
    }
  };

  form.addEventListener("change", (event) => {
    if (!LIVE.includes(event.target.name)) return;
    if (submit) submit.textContent = submit.dataset.reviewLabel;  // the total shown below is for the old choice
    fitPayment();
    showEstimate();
  });
  fitPayment();
  showEstimate();
}
