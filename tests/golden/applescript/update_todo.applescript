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
    set name of t0 to "New title"
    if notes of t0 is "" then
      set notes of t0 to "more"
    else
      set notes of t0 to (notes of t0) & linefeed & "more"
    end if
    if notes of t0 is "" then
      set notes of t0 to "first"
    else
      set notes of t0 to "first" & linefeed & (notes of t0)
    end if
    set project of t0 to project id "ProjectId"
    delete area of t0
    set w0 to current date
    set day of w0 to 1
    set year of w0 to 2026
    set month of w0 to 11
    set day of w0 to 23
    set time of w0 to 0
    schedule t0 for w0
    delete due date of t0
    set tag names of t0 to my takt_tags(tag names of t0, {"Errand"}, {"Home"})
    my takt_open("things:///update?auth-token=tok_EN-42&id=" & (id of t0) & "&append-checklist-items=one%20more")
    set end of takt_ids to (id of t0)
  on error takt_message number takt_number
    if takt_number is in {-600, -609, -1712, -1743, -1744} then error takt_message number takt_number
    set end of takt_ids to "takt-error " & takt_number & " " & my takt_line(takt_message)
  end try
end tell
set AppleScript's text item delimiters to linefeed
return takt_ids as text
