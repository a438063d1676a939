"use strict";
// Names for the admin's autocomplete widgets (select2, shipped with Django).
//
// select2 gives its combobox `aria-labelledby` pointing at the chosen value
// only (empty on a new form) and its search field no label at all, so a
// screen reader announces "combobox" with no name. Each is named here after
// the field's own label: the <label for> on a form, the column heading in a
// tabular inline. Loaded deferred, after Django's autocomplete.js.
{
    const labelFor = (select) => {
        const label = select.id && document.querySelector(`label[for="${select.id}"]`);
        if (label) {
            if (!label.id) {
                label.id = `${select.id}-label`;
            }
            return label;
        }
        // A tabular inline: the heading of the column the select is in.
        const cell = select.closest("td");
        const field = cell && [...cell.classList].find((name) => name.startsWith("field-"));
        const heading = field && cell.closest("table").querySelector(`thead th.column-${field.slice(6)}`);
        if (heading && !heading.id) {
            heading.id = `${select.id}-label`;
        }
        return heading || null;
    };

    const name = (select) => {
        const label = labelFor(select);
        const container = select.nextElementSibling;
        if (!label || !container || !container.classList.contains("select2-container")) {
            return;
        }
        const text = label.textContent.replace(/:\s*$/, "").trim();
        const combobox = container.querySelector(".select2-selection");
        const rendered = container.querySelector(".select2-selection__rendered");
        if (combobox) {
            // The field's name, then the chosen value(s).
            combobox.setAttribute("aria-labelledby", rendered && rendered.id ? `${label.id} ${rendered.id}` : label.id);
        }
        if (rendered && rendered.getAttribute("role")) {
            rendered.setAttribute("aria-labelledby", label.id);
        }
        const tidy = () => {
            container.querySelectorAll(".select2-search__field").forEach((field) => {
                field.setAttribute("aria-label", text);
            });
            // "Remove all" is a <span> select2 puts straight into the list of chosen values.
            container.querySelectorAll("ul > .select2-selection__clear").forEach((clear) => {
                clear.setAttribute("role", "listitem");
                clear.setAttribute("aria-label", clear.title);
            });
        };
        tidy();
        if (rendered && !rendered.dataset.kvarterNamed) {
            // select2 rebuilds the list on every change.
            rendered.dataset.kvarterNamed = "1";
            new MutationObserver(tidy).observe(rendered, {childList: true});
        }
    };

    const nameAll = (root) => {
        root.querySelectorAll("select.admin-autocomplete").forEach((select) => {
            if (!select.name.includes("__prefix__")) {
                name(select);
            }
        });
    };

    document.addEventListener("formset:added", (event) => nameAll(event.target));
    if (window.django && window.django.jQuery) {
        // Django's autocomplete.js makes the widgets in a jQuery ready callback
        // (run after DOMContentLoaded, in the order they were added): this one
        // was added after it, so it finds them made.
        window.django.jQuery(() => nameAll(document));
        // The dropdown's search field is made when it opens.
        window.django.jQuery(document).on("select2:open", (event) => {
            if (event.target.classList && event.target.classList.contains("admin-autocomplete")) {
                const text = (labelFor(event.target) || {textContent: ""}).textContent.replace(/:\s*$/, "").trim();
                document.querySelectorAll(".select2-container--open .select2-search__field").forEach((field) => {
                    field.setAttribute("aria-label", text);
                });
            }
        });
    }
}
