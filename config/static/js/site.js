/* The site's only script (the content security policy allows no inline code): progressive
   enhancements that the pages work without. Translated texts come from data-* attributes. */
(function () {
  "use strict";

  // The language selector switches as soon as a language is chosen (without script: the Go button).
  var language = document.getElementById("language");
  if (language) {
    language.addEventListener("change", function () { language.form.submit(); });
  }

  // A category's extra questions: only the chosen category's are shown and sent (the others stay
  // hidden and disabled). Without script the server shows them once the category is posted.
  var category = document.getElementById("id_category");
  var questionSets = document.querySelectorAll("fieldset[data-category]");
  if (category && questionSets.length) {
    var showQuestions = function () {
      Array.prototype.forEach.call(questionSets, function (set) {
        var chosen = set.getAttribute("data-category") === category.value;
        set.hidden = !chosen;
        set.disabled = !chosen;
      });
    };
    category.addEventListener("change", showQuestions);
    if (category.form) { category.form.addEventListener("change", showQuestions); }  // a restored draft
    showQuestions();
  }

  // After a failed submit, focus goes to the summary of what to correct (screen readers read it).
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  // What the resident typed on a form marked data-draft survives a language switch or a refused
  // (429) submission: it is kept in this tab's sessionStorage (never sent anywhere, gone with the
  // tab), put back when the form is shown again unfilled, and dropped once the appeal is received
  // (an element marked data-draft-clear). Photos cannot be kept.
  var store = null;
  try { store = window.sessionStorage; } catch (e) { /* storage disabled: nothing is kept */ }
  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" &&
        ["file", "hidden", "submit", "button", "password"].indexOf(el.type) < 0;
    });
  }
  function saveDraft(form) {
    var draft = {};
    draftFields(form).forEach(function (el) {
      if (el.type === "checkbox") { draft[el.name] = el.checked; }
      else if (el.type === "radio") { if (el.checked) { draft[el.name] = el.value; } }
      else { draft[el.name] = el.value; }
    });
    try { store.setItem("draft:" + form.dataset.draft, JSON.stringify(draft)); } catch (e) { /* full */ }
  }
  function restoreDraft(form) {
    var draft;
    try { draft = JSON.parse(store.getItem("draft:" + form.dataset.draft) || "null"); } catch (e) { draft = null; }
    if (!draft) { return; }
    draftFields(form).forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(draft, el.name)) { return; }
      if (el.type === "checkbox") { el.checked = draft[el.name] === true; }
      else if (el.type === "radio") { el.checked = el.value === draft[el.name]; }
      else { el.value = draft[el.name]; }
    });
    form.dispatchEvent(new Event("change", { bubbles: true }));  // scripts that follow the fields update
  }
  if (store) {
    var back = document.getElementById("back-to-form");  // the 429 page: the draft waits there
    if (back) { back.hidden = false; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-draft-clear]"), function (el) {
      store.removeItem("draft:" + el.dataset.draftClear);
    });
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
      if (form.hasAttribute("data-draft-restore")) { restoreDraft(form); }
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
    });
  }

  // An anonymous appeal needs no phone: its field stops being marked required.
  var anonymous = document.getElementById("id_anonymous");
  var phone = document.getElementById("id_contact_phone");
  if (anonymous && phone && phone.required) {
    var phoneRequired = function () { phone.required = !anonymous.checked; };
    anonymous.addEventListener("change", phoneRequired);
    phoneRequired();
  }

  // "Use my current location" on the appeal form fills in latitude and longitude.
  var locate = document.getElementById("use-location");
  if (locate && navigator.geolocation) {
    var status = document.getElementById("location-status");
    locate.hidden = false;
    locate.addEventListener("click", function () {
      status.textContent = locate.dataset.finding;
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
        document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
        document.getElementById("id_latitude").dispatchEvent(new Event("change", { bubbles: true }));  // the map's pin
        status.textContent = locate.dataset.found;
      }, function () { status.textContent = locate.dataset.failed; });
    });
  }

  // Unit pickers (dispatch, return, approve): a search box above the grouped list keeps only the
  // units whose name (in either language) or code contains what is typed; Enter picks the first.
  Array.prototype.forEach.call(document.querySelectorAll("select[data-unit-picker]"), function (select) {
    var search = document.createElement("input");
    search.type = "search";
    search.className = "unit-filter";
    search.id = select.id + "-filter";
    search.placeholder = select.dataset.filterLabel;
    search.setAttribute("aria-label", select.dataset.filterLabel);
    search.setAttribute("aria-controls", select.id);
    search.autocomplete = "off";
    select.parentNode.insertBefore(search, select);
    var options = Array.prototype.slice.call(select.querySelectorAll("option[value]:not([value=''])"));

    function matches() {
      var words = search.value.trim().toLowerCase();
      var shown = [];
      options.forEach(function (option) {
        var text = (option.dataset.search || "") + " " + option.textContent.toLowerCase();
        option.hidden = words !== "" && text.indexOf(words) === -1;
        if (!option.hidden) { shown.push(option); }
      });
      Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (words) { select.size = Math.min(Math.max(shown.length + 1, 2), 10); } else { select.removeAttribute("size"); }
      return shown;
    }

    search.addEventListener("input", matches);
    search.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();  // not the form's submit: pick the first match
      var shown = matches();
      if (shown.length) { select.value = shown[0].value; select.focus(); }
    });
  });
})();
