(module
  (func (;0;) (type 4)
  )
)
