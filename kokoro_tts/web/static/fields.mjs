// An error about a field is said beside that field: its message under it, the field marked
// invalid (aria-invalid) and described by the message (aria-describedby), until it is edited or
// its form sent again.

import { fieldMessages, sentence } from "./api.mjs";
import { fmt } from "./format.mjs";

const noteId = (input) => `${input.id}-error`;

/** Mark `input` invalid with `message` written under it. */
export function markField(input, message) {
  let note = document.getElementById(noteId(input));
  if (!note) {
    note = document.createElement("p");
    note.id = noteId(input);
    note.className = "field-error";
    input.after(note);
  }
  note.textContent = message;
  input.setAttribute("aria-invalid", "true");
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== note.id);
  input.setAttribute("aria-describedby", [note.id, ...described].join(" "));
}

/** The field as it was before: no message under it, not marked. */
export function clearField(input) {
  const note = document.getElementById(noteId(input));
  if (!note) return;
  note.remove();
  input.removeAttribute("aria-invalid");
  const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== note.id);
  if (described.length) input.setAttribute("aria-describedby", described.join(" "));
  else input.removeAttribute("aria-describedby");
}

function clearForm(form) {
  for (const input of form.querySelectorAll("[aria-invalid=true]")) clearField(input);
}

/** "Blend: Unknown voice…" on the status line; a message that names its field already stays as it is
 *  ("The password must…", not "Password: The password must…"). */
function withLabel(message, label, S) {
  if (!label || message.toLocaleLowerCase().includes(label.toLocaleLowerCase())) return message;
  return fmt(S.field_error, { field: label, message });
}

/**
 * Place an error's field messages beside their fields; the status line's text for it, or null
 * if none was placed (the error is then said as it is). `where`: { form: the form's id, fields:
 * {API field: input id} for names its inputs lack, codes: {error code: input id} for errors
 * about one field that the API says without `details.fields` (a wrong password, an empty text).
 */
export function placeErrors(error, where, S) {
  if (!where || typeof error !== "object") return null;
  const form = where.form ? document.getElementById(where.form) : null;
  const byCode = where.codes?.[error.code];
  const messages = byCode ? { [byCode]: sentence(error.message || error.code) } : fieldMessages(error);
  const said = [];
  for (const [name, message] of Object.entries(messages)) {
    const id = byCode || where.fields?.[name];
    const input = (id && document.getElementById(id)) || form?.elements.namedItem(name);
    if (!input || !input.id) {
      said.push(message);
      continue;
    }
    markField(input, message);
    said.push(withLabel(message, input.labels?.[0]?.textContent.trim(), S));
  }
  if (said.length === 0) return null;
  return said.join(" ");
}

/** Editing a field clears its message; sending a form clears all of its own. */
export function wireFields() {
  const edited = (event) => {
    if (event.target.getAttribute?.("aria-invalid") === "true") clearField(event.target);
  };
  document.addEventListener("input", edited);
  document.addEventListener("change", edited);
  document.addEventListener("submit", (event) => clearForm(event.target), true);
}
