/** A database URL's password is not for the terminal or the logs. */
export function redactDatabasePassword(location: string): string {
  return location.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^/]*@/i, '$1***@');
}
