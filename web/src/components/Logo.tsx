/** The platform mark: a house on a blue tile. */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" className="logo">
      <rect width="32" height="32" rx="6" fill="#ffffff" fillOpacity="0.16" />
      <path d="M16 6 5 15h3v10h6v-6h4v6h6V15h3z" fill="#ffffff" />
    </svg>
  );
}
