// Shows only the fields the chosen price model uses (the form works without this script).
(function () {
  "use strict";
  var form = document.querySelector("[data-price-model-form]");
  if (!form) { return; }
  var kind = form.querySelector("select[name=kind]");
  var weighting = form.querySelector("select[name=weighting]");
  var used = {
    flat: ["amount"],
    per_inhabitant: ["rate", "floor", "ceiling"],
    size_class: ["classes"],
    cost_recovery: ["weighting", "weights"]
  };
  function update() {
    var fields = used[kind.value] || [];
    form.querySelectorAll("[data-price-field]").forEach(function (wrapper) {
      var name = wrapper.getAttribute("data-price-field");
      var show = name === "kind" || fields.indexOf(name) !== -1;
      if (name === "weights") { show = show && weighting.value === "size_class"; }
      wrapper.hidden = !show;
    });
  }
  kind.addEventListener("change", update);
  weighting.addEventListener("change", update);
  update();
})();
