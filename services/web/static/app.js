// Evidence uploads: one request per file so each file shows its own progress bar; without JavaScript
// the form posts every file at once and the page reloads. No inline script (the CSP forbids it).
(function () {
  "use strict";
  function uploadOne(form, file, indicator, row) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("csrf_token", form.querySelector("[name=csrf_token]").value);
      data.append("files", file, file.name);
      if (indicator) data.append("indicator_code", indicator);
      var behalf = form.querySelector("[name=on_behalf_of]");
      if (behalf && behalf.value) data.append("on_behalf_of", behalf.value);
      var xhr = new XMLHttpRequest();
      var bar = row.querySelector("progress");
      var note = row.querySelector(".note");
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) { bar.value = e.loaded; bar.max = e.total; } };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
        var result = (body.results && body.results[0]) || {};
        if (xhr.status < 300 && body.ok) { bar.value = bar.max; note.textContent = "✔ " + (form.dataset.done || "OK"); row.className = "ok"; }
        else { note.textContent = "✘ " + (result.error || body.error || xhr.status); row.className = "error"; note.setAttribute("role", "alert"); }
        resolve();
      };
      xhr.onerror = function () { note.textContent = "✘"; row.className = "error"; resolve(); };
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.send(data);
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-upload]") || !window.FormData) return;
    var input = form.querySelector("input[type=file]");
    if (!input.files.length) return; // let the server answer with the field and the reason
    event.preventDefault();
    var list = form.querySelector("[data-progress]");
    var indicator = form.querySelector("[name=indicator_code]").value;
    list.innerHTML = "";
    var jobs = Array.prototype.map.call(input.files, function (file) {
      var row = document.createElement("li");
      var name = document.createElement("span"); name.textContent = file.name;
      var bar = document.createElement("progress"); bar.max = file.size || 1; bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      var note = document.createElement("span"); note.className = "note";
      row.appendChild(name); row.appendChild(bar); row.appendChild(note); list.appendChild(row);
      return uploadOne(form, file, indicator, row);
    });
    Promise.all(jobs).then(function () {
      input.value = "";
      document.body.dispatchEvent(new CustomEvent("evidence-uploaded"));
    });
  });
})();
