// Demands and key facts: "Move up" and "Move down" buttons instead of typed positions.
// Each row moves past the nearest row of the same language (each language has its own
// group on the petition form); positions are then renumbered
// in the order shown. Without JavaScript the position fields stay and work as before.
"use strict";
(function () {
  const labels = JSON.parse(document.getElementById("order-labels").textContent);

  function rows(group) {
    return Array.from(group.querySelectorAll("tbody tr.form-row:not(.empty-form)"));
  }

  function language(row) {
    const select = row.querySelector("select[name$='-language']");
    return select ? select.value : "";
  }

  function renumber(group) {
    rows(group).forEach(function (row, index) {
      const position = row.querySelector("input[name$='-position']");
      if (position) position.value = String(index);
    });
  }

  function move(group, row, step) {
    const list = rows(group);
    let index = list.indexOf(row) + step;
    while (index >= 0 && index < list.length && language(list[index]) !== language(row)) {
      index += step;
    }
    if (index < 0 || index >= list.length) return;
    const other = list[index];
    other.parentNode.insertBefore(row, step < 0 ? other : other.nextSibling);
    renumber(group);
    row.querySelector(step < 0 ? ".order-up" : ".order-down").focus();
  }

  function button(text, className, onClick) {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "order-button " + className;
    element.textContent = text;
    element.addEventListener("click", onClick);
    return element;
  }

  function equip(group, row) {
    const position = row.querySelector("td.field-position");
    if (!position || position.querySelector(".order-button")) return;
    position.querySelector("input").hidden = true;
    position.append(
      button(labels.up, "order-up", function () { move(group, row, -1); }),
      button(labels.down, "order-down", function () { move(group, row, 1); })
    );
  }

  document.querySelectorAll("fieldset.ordered").forEach(function (fieldset) {
    const group = fieldset.closest(".inline-group") || fieldset;
    rows(group).forEach(function (row) { equip(group, row); });
    const heading = group.querySelector("th.column-position");
    if (heading) heading.textContent = labels.order;
    document.addEventListener("formset:added", function (event) {
      if (group.contains(event.target)) {
        equip(group, event.target);
        renumber(group);
      }
    });
  });
})();
