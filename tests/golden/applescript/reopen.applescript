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
    set t0 to to do id "TodoId"
    set status of t0 to open
    set end of takt_ids to (id of t0)
  on error takt_message number takt_number
    if takt_number is in {-600, -609, -1712, -1743, -1744} then error takt_message number takt_number
    set end of takt_ids to "takt-error " & takt_number & " " & my takt_line(takt_message)
  end try
end tell
set AppleScript's text item delimiters to linefeed
return takt_ids as text
