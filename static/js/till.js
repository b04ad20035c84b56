// The till: the change due appears as the cash received is typed (the server checks it again).
(function () {
  var cash = document.getElementById("cash_given");
  var total = document.getElementById("till-total");
  var out = document.getElementById("change");
  if (!cash || !total || !out) return;
  var lang = document.documentElement.lang || "vi";
  var money = new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-US", {style: "currency", currency: "VND"});
  cash.addEventListener("input", function () {
    var given = parseInt(cash.value, 10), due = parseInt(total.dataset.total, 10);
    if (isNaN(given)) { out.textContent = ""; return; }
    out.textContent = given >= due ? out.dataset.change.replace("%s", money.format(given - due))
                                   : out.dataset.short.replace("%s", money.format(due - given));
  });
})();
