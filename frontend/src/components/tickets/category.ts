/**
 * How a taxonomy category reads in the console: machine-style names ("orders_delivery") become words
 * ("Orders delivery"); names already written for people ("Orders & delivery") are shown as they are.
 * The API keeps the name itself (it is the label the classifier learns).
 */
export function categoryName(name: string): string {
  if (!/^[a-z0-9]+(?:[_-][a-z0-9]+)*$/.test(name)) return name;
  const words = name.replace(/[_-]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
