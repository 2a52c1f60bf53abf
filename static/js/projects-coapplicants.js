// The co-applicant picker (projects/forms.py SearchableCheckboxes): a search field over the
// checkbox list. Progressive enhancement: without this file the list works as it is.
(function () {
  "use strict";
  document.querySelectorAll("[data-picker]").forEach(function (picker) {
    var search = picker.querySelector("[data-picker-search]");
    var input = search.querySelector("input");
    var status = picker.querySelector("[data-picker-status]");
    var options = Array.prototype.slice.call(picker.querySelectorAll(".df-picker__option"));
    search.hidden = false;
    function normalise(text) {
      return text.toLocaleLowerCase("nb").trim();
    }
    function update() {
      var query = normalise(input.value);
      var shown = 0;
      var chosen = 0;
      options.forEach(function (option) {
        var box = option.querySelector("input");
        var match = !query || normalise(option.textContent).indexOf(query) !== -1;
        option.hidden = !(match || box.checked);
        if (!option.hidden) shown += 1;
        if (box.checked) chosen += 1;
      });
      status.textContent = status.getAttribute("data-text")
        .replace("{shown}", shown)
        .replace("{total}", options.length)
        .replace("{chosen}", chosen);
    }
    input.addEventListener("input", update);
    picker.addEventListener("change", update);
    // Enter in the search field must not submit the whole proposal form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    update();
  });
})();
