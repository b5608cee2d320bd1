on takt_line(t)
  set AppleScript's text item delimiters to {return, linefeed}
  set parts to text items of t
  set AppleScript's text item delimiters to " "
  set t to parts as text
  set AppleScript's text item delimiters to ""
  return t
end takt_line
on takt_open(u)
  do shell script "open -g " & quoted form of u
end takt_open
on takt_tags(have, added, removed)
  set AppleScript's text item delimiters to ", "
  set names to {}
  if have is not "" then set names to text items of have
  set kept to {}
  repeat with n in names
    if removed does not contain (contents of n) then set end of kept to (contents of n)
  end repeat
  repeat with n in added
    if kept does not contain (contents of n) then set end of kept to (contents of n)
  end repeat
  set t to kept as text
  set AppleScript's text item delimiters to ""
  return t
end takt_tags
set takt_ids to {}
tell application "Things3"
  try
    set t0 to to do id "ABC"
    my takt_open("things:///json?auth-token=tok_EN-42&data=%5B%7B%22type%22%3A%22to-do%22%2C%22operation%22%3A%22update%22%2C%22id%22%3A%22" & (id of t0) & "%22%2C%22attributes%22%3A%7B%22when%22%3A%22evening%22%2C%22checklist-items%22%3A%5B%7B%22type%22%3A%22checklist-item%22%2C%22attributes%22%3A%7B%22title%22%3A%22Outline%20%5C%22v2%5C%22%22%2C%22completed%22%3Atrue%7D%7D%2C%7B%22type%22%3A%22checklist-item%22%2C%22attributes%22%3A%7B%22title%22%3A%2250%25%20off%20%26%20more%22%2C%22completed%22%3Afalse%7D%7D%5D%7D%7D%5D")
    set end of takt_ids to (id of t0)
  on error takt_message number takt_number
    if takt_number is in {-600, -609, -1712, -1743, -1744} then error takt_message number takt_number
    set end of takt_ids to "takt-error " & takt_number & " " & my takt_line(takt_message)
  end try
end tell
set AppleScript's text item delimiters to linefeed
return takt_ids as text
