// dangjian — small conveniences on top of plain HTML forms; every page works without this file.
(function () {
  "use strict";
  // Destructive actions: <form data-confirm="确定要……吗？"> asks before submitting.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  }, true);
  // Long imports: <form data-progress="/people/import/progress"> shows, while the server checks
  // or writes the upload, how many rows it has done (asked every 0.7 s until the page changes).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var url = form.getAttribute && form.getAttribute("data-progress");
    if (!url || event.defaultPrevented) { return; }
    var line = document.createElement("p");
    line.className = "muted import-progress";
    line.id = "import-progress";
    line.setAttribute("role", "status");
    line.textContent = "正在上传……";
    form.parentNode.insertBefore(line, form.nextSibling);
    window.setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (p && p.phase) {
            line.textContent = "正在" + p.phase + "：已处理 " + p.rows + " 行……";
          }
        })
        .catch(function () {});
    }, 700);
  });
  // Long exports: <p data-export-progress="URL"> is the export job's progress line; the same
  // question as the import's, asked until the file is ready, then the page shows the download.
  var exportLine = document.querySelector("[data-export-progress]");
  if (exportLine) {
    var exportTimer = window.setInterval(function () {
      fetch(exportLine.getAttribute("data-export-progress"), { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (!p) { return; }
          if (p.ready || p.failure) {
            window.clearInterval(exportTimer);
            window.location.reload();
            return;
          }
          exportLine.textContent = p.phase === "打包"
            ? "已写入 " + p.total + " 行，正在打包文件……"
            : "正在生成：已写入 " + p.rows + " / " + p.total + " 行……";
        })
        .catch(function () {});
    }, 700);
  }
  // Left navigation on narrow screens.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-nav-toggle]");
    if (toggle) {
      var nav = document.getElementById("sidenav");
      if (nav) { nav.classList.toggle("open"); }
    }
  });
  // <button data-print> prints the page (A4 stylesheet).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      window.print();
    }
  });
  // The class "js" shows what only works with this script (class "js-only").
  document.documentElement.classList.add("js");
  // Pickers that search as one types: <input data-picker="URL" list="ID"> fills datalist #ID
  // with the suggestions GET URL&q=TEXT answers ([{value, label}]); data-picker-with="NAME"
  // also sends the form's field NAME. Without the script one types the number instead.
  var pickerTimer = null;
  function suggest(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var text = input.value.trim();
    if (!list || /[（(]#\d+[）)]$/.test(text)) { return; }
    var url = input.getAttribute("data-picker");
    url += (url.indexOf("?") >= 0 ? "&" : "?") + "q=" + encodeURIComponent(text);
    var withName = input.getAttribute("data-picker-with");
    var other = withName && input.form && input.form.elements[withName];
    if (other) { url += "&" + encodeURIComponent(withName) + "=" + encodeURIComponent(other.value); }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (items) {
        if (input.value.trim() !== text) { return; }
        list.textContent = "";
        items.forEach(function (item) {
          var option = document.createElement("option");
          option.value = item.value;
          option.label = item.label;
          list.appendChild(option);
        });
      })
      .catch(function () { /* the box still takes a typed number */ });
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input.getAttribute && input.getAttribute("data-picker"))) { return; }
    window.clearTimeout(pickerTimer);
    pickerTimer = window.setTimeout(function () { suggest(input); }, 250);
  });
  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (input.getAttribute && input.getAttribute("data-picker")) {
      var list = document.getElementById(input.getAttribute("list"));
      if (list && !list.options.length) { suggest(input); }
    }
  });
  // Filters: <select data-autosubmit> submits its form when changed.
  document.addEventListener("change", function (event) {
    if (event.target.hasAttribute && event.target.hasAttribute("data-autosubmit") && event.target.form) {
      event.target.form.submit();
    }
  });
})();
