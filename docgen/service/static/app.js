// Plain script for the pages: job progress, plan sorting and filtering, busy forms.
(function () {
  "use strict";

  function followJob(box) {
    var id = box.getAttribute("data-job");
    var labels = JSON.parse(box.getAttribute("data-labels"));
    function show(job) {
      document.getElementById("job-state").textContent = labels[job.state] || job.state;
      var bar = document.getElementById("job-progress");
      bar.max = job.progress.total || 1;
      bar.value = job.progress.done;
      document.getElementById("job-count").textContent = job.progress.done + "/" + job.progress.total;
      var err = document.getElementById("job-error");
      if (job.error) { err.textContent = job.error; err.hidden = false; }
      var list = document.getElementById("job-files");
      if (job.files.length && !list.children.length) {
        job.files.forEach(function (f) {
          var li = document.createElement("li"), a = document.createElement("a");
          a.href = f.url; a.textContent = f.name; li.appendChild(a); list.appendChild(li);
        });
      }
      box.setAttribute("data-state", job.state);
      if (job.state === "queued" || job.state === "running") { setTimeout(poll, 700); }
      // ended: the page says the rest in its own language (the letters not issued, the serials, why it failed)
      else { window.location.reload(); }
    }
    function poll() {
      fetch("/api/jobs/" + encodeURIComponent(id), {credentials: "same-origin"})
        .then(function (r) { return r.json(); }).then(show)
        .catch(function () { setTimeout(poll, 2000); });
    }
    var state = box.getAttribute("data-state");
    if (state === "queued" || state === "running") { poll(); }
  }

  function sortable(table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener("click", function () {
        var numeric = th.getAttribute("data-type") === "number";
        var asc = th.getAttribute("data-sort") !== "asc";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("data-sort"); });
        th.setAttribute("data-sort", asc ? "asc" : "desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].textContent, y = b.cells[col].textContent;
          var c = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, "zh");
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function filters() {
    var selects = document.querySelectorAll("select[data-filter]");
    function apply() {
      var want = {};
      selects.forEach(function (s) { want[s.getAttribute("data-filter")] = s.value; });
      document.querySelectorAll("#plan tbody tr").forEach(function (row) {
        var show = Object.keys(want).every(function (k) { return !want[k] || row.getAttribute("data-" + k) === want[k]; });
        row.hidden = !show;
      });
    }
    selects.forEach(function (s) { s.addEventListener("change", apply); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("job");
    if (box) { followJob(box); }
    document.querySelectorAll("table.sortable").forEach(sortable);
    filters();
    document.querySelectorAll("form.busy-on-submit").forEach(function (f) {
      f.addEventListener("submit", function () { f.classList.add("busy"); });
    });
  });
}());
