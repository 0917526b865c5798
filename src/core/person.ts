// A person as feeds write one in a single string: a name, an email, a web address, in any order, bracketed or not.

const EMAIL = /[(\[<]?\s*(?:mailto:)?([^\s()<>[\]@]+@[^\s()<>[\]]+?)\s*[)\]>]?(?=\s|$|[(\[<])/gi;
const WEB = /[(\[<]?\s*(https?:\/\/[^\s()<>[\]]+?)\s*[)\]>]?(?=\s|$|[(\[<])/gi;

/**
 * The name in `editor@example.com (Jane Doe)`, `Jane Doe <jane@example.com>`, `Jane [https://jane.example]`; the email when there is no
 * name; undefined when there is neither. Parentheses that are part of a name (`Jane Doe (Managing Editor)`) stay.
 */
export function personName(text: string): string | undefined {
  const emails: string[] = [];
  let rest = text.replace(EMAIL, (_, email: string) => (emails.push(email), ' ')).replace(WEB, ' ');
  rest = rest.replace(/\s+/g, ' ').trim();
  const wrapped = /^[(\[<]\s*(.*?)\s*[)\]>]$/.exec(rest);
  if (wrapped && !/[()[\]<>]/.test(wrapped[1]!)) rest = wrapped[1]!;
  rest = rest.replace(/\(\s*\)|\[\s*\]|<\s*>/g, '').trim();
  return rest || emails[0];
}
