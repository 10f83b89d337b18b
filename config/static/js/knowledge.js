/* Knowledge-base suggestions that follow what is typed into an appeal form's question (the
   resident's form and the operators' phone form). Each suggestion's button sets kb_version and
   submits: the question is filed as answered at first contact. The buttons are not submit
   buttons, so Enter in a field still submits with the form's own button. "No" hides them and the
   form is filed as usual (the shown entries go along in kb_shown, for the statistics). */
(function () {
  "use strict";
  var panel = document.getElementById("kb-suggestions");
  if (!panel) return;
  var form = panel.closest("form");
  var text = form && form.querySelector("textarea[name=text]");
  var shown = form && form.querySelector("input[name=kb_shown]");
  var list = document.getElementById("kb-list");
  var chosen = document.getElementById("kb-version");
  if (!text || !list || !chosen) return;
  var operator = panel.dataset.operator === "1";
  var dismissed = false, timer = null, asked = "", seq = 0;

  function el(tag, cls, content) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (content) node.textContent = content;
    return node;
  }

  function render(results) {
    list.replaceChildren();
    var ids = [];
    results.forEach(function (item) {
      if (!item.confident && !operator) return;
      ids.push(item.key);
      var card = el("article", "kb-item" + (item.confident ? "" : " kb-weak"));
      card.dataset.key = item.key;
      card.appendChild(el("h3", "", item.question));
      if (!item.confident) card.appendChild(el("p", "hint", panel.dataset.weak));
      card.appendChild(el("div", "kb-answer", item.answer));
      var meta = item.owner + " · " + panel.dataset.version + " " + item.version;
      if (item.policy) meta += " · " + panel.dataset.policy + " " + item.policy;
      card.appendChild(el("p", "hint", meta));
      var yes = el("button", "primary kb-yes", panel.dataset.yes);
      yes.type = "button";
      yes.addEventListener("click", function () {
        chosen.value = item.version_id;
        form.requestSubmit();
      });
      card.appendChild(yes);
      list.appendChild(card);
    });
    if (shown) shown.value = results.filter(function (r) { return r.confident || operator; })
      .map(function (r) { return r.entry_id; }).join(",");
    panel.hidden = ids.length === 0;
  }

  function lookup() {
    var question = text.value.trim();
    if (dismissed || question.length < 4 || question === asked) return;
    asked = question;
    var mine = ++seq;
    var url = panel.dataset.endpoint + "?limit=3&q=" + encodeURIComponent(question.slice(0, 500));
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {results: []}; })
      .then(function (data) { if (mine === seq && !dismissed) render(data.results || []); })
      .catch(function () { /* suggestions are a help, never a condition */ });
  }

  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookup, 300);
  });
  document.getElementById("kb-no").addEventListener("click", function () {
    dismissed = true;
    panel.hidden = true;
    text.focus();
  });
  if (text.value) lookup();
}());
